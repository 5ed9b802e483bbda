import Vapor

struct OpenAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("api", "v1", "openapi.json", use: document)
    }

    @Sendable
    func document(req: Request) async throws -> Response {
        let response = Response(status: .ok)
        try response.content.encode(OpenAPIDocument.document, as: .json)
        return response
    }
}
