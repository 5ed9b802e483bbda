import Crypto
import Fluent
import Foundation
import PingyiCore
import Vapor

/// A file kept in the database with its name, type, size and checksum (述职材料, 佐证材料).
protocol StoredUpload: AnyObject {
    var fileName: String { get set }
    var contentType: String { get set }
    var byteCount: Int { get set }
    var sha256: String { get set }
    var data: Data { get set }
}

extension StoredUpload {
    func store(_ data: Data, as file: ReportFile.Checked) {
        fileName = file.fileName
        contentType = file.contentType
        byteCount = data.count
        sha256 = file.sha256
        self.data = data
    }
}

extension ReportDocument: StoredUpload {}
extension RectificationEvidence: StoredUpload {}

/// A download that opens in the browser (PDF, text) or saves (DOCX), with the original Chinese file name.
func reportResponse(_ document: ReportDocument) -> Response {
    storedFileResponse(document.data, fileName: document.fileName, contentType: document.contentType, sha256: document.sha256)
}

/// A stored upload, sent as an attachment (never rendered in our origin) with its checksum; `nosniff` as well.
func storedFileResponse(_ data: Data, fileName: String, contentType: String, sha256: String) -> Response {
    let response = Response(status: .ok, body: .init(data: data))
    response.headers.replaceOrAdd(name: .contentType, value: contentType)
    response.headers.replaceOrAdd(name: .contentDisposition, value: contentDisposition("attachment", fileName: fileName, fallback: "file"))
    response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
    response.headers.replaceOrAdd(name: "X-Checksum-SHA256", value: sha256)
    return response
}

/// What an uploaded report may be: PDF, DOCX or plain text, at most 20 MB, recognized by content, not by name.
enum ReportFile {
    static let maxBytes = 20 * 1024 * 1024

    struct Checked {
        var fileName: String
        var contentType: String
        var sha256: String
    }

    /// Checks an upload by its content (not its name): PDF, DOCX or TXT, and with `images` also JPEG and PNG
    /// (photos are the usual 整改佐证). Names the file with the right extension; computes its SHA-256.
    static func check(_ data: Data, fileName rawName: String, defaultName: String = "述职材料", images: Bool = false) throws -> Checked {
        guard !data.isEmpty else { throw APIError(.unprocessableEntity, "invalid", "文件是空的") }
        guard data.count <= maxBytes else { throw APIError(.payloadTooLarge, "payload_too_large", "文件超过 20 MB") }
        let base = (rawName as NSString).lastPathComponent
            .filter { !$0.isNewline && $0 != "\"" && $0 != "\\" && !($0.asciiValue.map { $0 < 32 } ?? false) }
        let stem = base.isEmpty ? defaultName : String(base.prefix(100))
        let type: (String, String)
        if data.starts(with: Array("%PDF-".utf8)) {
            type = ("application/pdf", "pdf")
        } else if data.starts(with: [0x50, 0x4B, 0x03, 0x04]), isDOCX(data) {
            type = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
        } else if images, data.starts(with: [0xFF, 0xD8, 0xFF]) {
            type = ("image/jpeg", "jpg")
        } else if images, data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            type = ("image/png", "png")
        } else if ImportFile.plainText(data) != nil {
            type = ("text/plain; charset=utf-8", "txt")
        } else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type",
                           images ? "只能上传 PDF、DOCX、TXT、JPG 或 PNG 文件" : "只能上传 PDF、DOCX 或 TXT 文件")
        }
        var name = stem
        let lower = name.lowercased()
        let known = type.1 == "jpg" ? [".jpg", ".jpeg"] : ["." + type.1]
        if !known.contains(where: lower.hasSuffix) {
            name = ((name as NSString).deletingPathExtension.isEmpty ? defaultName : (name as NSString).deletingPathExtension) + "." + type.1
        }
        let digest = sha256Hex(data)
        return Checked(fileName: name, contentType: type.0, sha256: digest)
    }

    /// The raw request body as an upload, named by the percent-encoded `X-File-Name` header.
    static func upload(_ req: Request, defaultName: String = "述职材料", images: Bool = false) throws -> (Data, Checked) {
        let data = Data(buffer: req.body.data ?? ByteBuffer())
        let rawName = req.headers.first(name: "X-File-Name").flatMap { $0.removingPercentEncoding } ?? defaultName
        return (data, try check(data, fileName: rawName, defaultName: defaultName, images: images))
    }

    static func isDOCX(_ data: Data) -> Bool {
        UploadedZip(data)?.contains("word/document.xml") ?? false
    }
}
