import Foundation

/// One operation of `/api/v1`, as the OpenAPI document describes it.
struct APIOperation: Sendable {
    var method: String
    /// OpenAPI form, e.g. `/api/v1/campaigns/{campaignID}`.
    var path: String
    var summary: String
    var tag: String
    var authenticated: Bool
    var requestSchema: String?
    /// Success status and schema reference (`nil` for an empty body).
    var success: (status: Int, schema: JSONValue?)
    /// Error statuses this operation may answer besides the common ones.
    var errors: [Int]
}

/// The OpenAPI 3 description of the API. `OpenAPITests` checks it against the app's route table.
enum OpenAPIDocument {
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    static func arrayOf(_ name: String) -> JSONValue { ["type": "array", "items": ref(name)] }

    static let operations: [APIOperation] = [
        APIOperation(method: "post", path: "/api/v1/session", summary: "登录，换取访问令牌 (log in, get a bearer token)",
                     tag: "会话", authenticated: false, requestSchema: "LoginRequest",
                     success: (200, ref("Session")), errors: [400, 401, 429]),
        APIOperation(method: "delete", path: "/api/v1/session", summary: "注销当前令牌 (log out)",
                     tag: "会话", authenticated: true, requestSchema: nil, success: (204, nil), errors: [401]),
        APIOperation(method: "get", path: "/api/v1/me", summary: "当前用户 (the current user)",
                     tag: "会话", authenticated: true, requestSchema: nil, success: (200, ref("User")), errors: [401]),
        APIOperation(method: "get", path: "/api/v1/campaigns", summary: "可见的评议活动 (campaigns in scope)",
                     tag: "评议活动", authenticated: true, requestSchema: nil, success: (200, arrayOf("CampaignSummary")), errors: [401]),
        APIOperation(method: "get", path: "/api/v1/campaigns/{campaignID}", summary: "评议活动详情 (campaign detail)",
                     tag: "评议活动", authenticated: true, requestSchema: nil, success: (200, ref("CampaignDetail")), errors: [401, 404]),
        APIOperation(method: "delete", path: "/api/v1/demo", summary: "删除演示数据 (remove the demo campaign)",
                     tag: "评议活动", authenticated: true, requestSchema: nil, success: (200, ref("DemoRemoval")), errors: [401, 403]),
    ]

    static let errorStatusText: [Int: String] = [
        400: "请求格式不正确", 401: "未登录或令牌无效", 403: "没有权限", 404: "不存在或不在权限范围内",
        409: "状态冲突", 413: "请求体过大", 415: "内容类型不支持", 422: "内容无法处理", 429: "请求过于频繁或账号已锁定",
    ]

    static var document: JSONValue {
        var paths: [String: JSONValue] = [:]
        for operation in operations {
            var responses: [String: JSONValue] = [:]
            if let schema = operation.success.schema {
                responses[String(operation.success.status)] = [
                    "description": "成功", "content": ["application/json": ["schema": schema]],
                ]
            } else {
                responses[String(operation.success.status)] = ["description": "成功"]
            }
            for status in operation.errors + (operation.requestSchema == nil ? [] : [413, 415]) {
                responses[String(status)] = [
                    "description": .string(errorStatusText[status] ?? "错误"),
                    "content": ["application/json": ["schema": ref("Error")]],
                ]
            }
            var entry: [String: JSONValue] = [
                "summary": .string(operation.summary),
                "operationId": .string(operationID(operation)),
                "tags": [.string(operation.tag)],
                "responses": .object(responses),
            ]
            let parameters = pathParameters(operation.path)
            if !parameters.isEmpty {
                entry["parameters"] = .array(parameters.map { name in
                    ["name": .string(name), "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]
                })
            }
            if let request = operation.requestSchema {
                entry["requestBody"] = ["required": true, "content": ["application/json": ["schema": ref(request)]]]
            }
            entry["security"] = operation.authenticated ? [["bearerAuth": []]] : []
            var item = paths[operation.path]?.objectValue ?? [:]
            item[operation.method] = .object(entry)
            paths[operation.path] = .object(item)
        }
        return [
            "openapi": "3.0.3",
            "info": [
                "title": "Pingyi 评议 API",
                "version": .string(PingyiVersion.current),
                "description": "基层党组织书记述职评议考核系统的接口。所有错误以 JSON 返回：{error, code, reason}，reason 为中文说明。",
            ],
            "paths": .object(paths),
            "components": [
                "securitySchemes": ["bearerAuth": ["type": "http", "scheme": "bearer"]],
                "schemas": .object(OpenAPISchemas.all),
            ],
        ]
    }

    static func operationID(_ operation: APIOperation) -> String {
        let words = operation.path.split(separator: "/").dropFirst(2).map { part in
            part.hasPrefix("{") ? "By" + part.dropFirst().dropLast().prefix(1).uppercased() + part.dropFirst(2).dropLast() : String(part)
        }
        return operation.method + words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
    }
}

extension JSONValue {
    var objectValue: [String: JSONValue]? {
        if case .object(let object) = self { return object }
        return nil
    }
}
