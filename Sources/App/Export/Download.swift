import Foundation
import Vapor

/// RFC 6266: an ASCII name for old clients and the real one, UTF-8 and percent-encoded.
func contentDisposition(_ disposition: String, fileName: String, fallback: String) -> String {
    let encoded = fileName.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? fallback
    return "\(disposition); filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
}

/// A file download with a UTF-8 file name (RFC 6266) and an ASCII fallback.
func download(_ data: Data, name: String, type: HTTPMediaType) -> Response {
    let response = Response(status: .ok, body: .init(data: data))
    response.headers.contentType = type
    let ext = name.split(separator: ".").last.map(String.init) ?? "dat"
    response.headers.replaceOrAdd(name: .contentDisposition, value: contentDisposition("attachment", fileName: name, fallback: "pingyi.\(ext)"))
    response.headers.cacheControl = .init(noStore: true)
    return response
}

/// An SVG drawn for the page (a chart, a printable form page), never cached: it shows the data as it is now.
func svgResponse(_ svg: String) -> Response {
    let response = Response(status: .ok, body: .init(string: svg))
    response.headers.contentType = HTTPMediaType(type: "image", subType: "svg+xml", parameters: ["charset": "utf-8"])
    response.headers.cacheControl = .init(noStore: true)
    return response
}
