import AsyncKit
import FluentPostgresDriver
import Foundation
import PingyiCore
import Vapor

/// An error with a Chinese message for the user; the API answers `{"error": true, "code": …, "reason": …}`.
struct APIError: AbortError, Sendable {
    var status: HTTPResponseStatus
    var code: String
    var reason: String

    init(_ status: HTTPResponseStatus, _ code: String, _ reason: String) {
        self.status = status
        self.code = code
        self.reason = reason
    }

    static func notFound(_ what: String) -> APIError { APIError(.notFound, "not_found", "\(what)不存在") }
    static let unauthorized = APIError(.unauthorized, "unauthorized", "请先登录")
    static let forbidden = APIError(.forbidden, "forbidden", "没有权限执行此操作")
    static func badRequest(_ reason: String) -> APIError { APIError(.badRequest, "bad_request", reason) }
    static func conflict(_ reason: String) -> APIError { APIError(.conflict, "conflict", reason) }
}

/// The JSON body of every error answer.
struct ErrorBody: Content {
    var error: Bool
    var code: String
    var reason: String
}

/// Turns every error into a JSON body with a Chinese reason; never lets internals leak, never answers 500 for bad input.
struct APIErrorMiddleware: AsyncMiddleware {
    let environment: Environment

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch let failure as ImportFailure {
            let response = Response(status: .unprocessableEntity)
            let reason = "导入失败，没有导入任何数据：" + failure.issues.prefix(3).map(\.text).joined(separator: "；")
                + (failure.issues.count > 3 ? "……共 \(failure.issues.count) 处问题" : "")
            try response.content.encode(ImportErrorDTO(error: true, code: "import_failed", reason: reason, issues: failure.issues), as: .json)
            return response
        } catch {
            let body = Self.body(for: error)
            if body.status.code >= 500 {
                request.logger.report(error: error)
            }
            let response = Response(status: body.status)
            try response.content.encode(ErrorBody(error: true, code: body.code, reason: body.reason), as: .json)
            return response
        }
    }

    static func body(for error: any Error) -> (status: HTTPResponseStatus, code: String, reason: String) {
        switch error {
        case let error as APIError:
            return (error.status, error.code, error.reason)
        case let error as DecodingError:
            return (.badRequest, "bad_request", "请求内容格式不正确：\(describe(error))")
        case let error as BallotRejection:
            return (.unprocessableEntity, "invalid_ballot", error.message)
        case let error as RulesError:
            return (.unprocessableEntity, "invalid_rules", error.message)
        case let error as RoundPlanError:
            switch error {
            case .unknownGroup: return (.notFound, "not_found", error.message)
            case .tooFewVoters: return (.unprocessableEntity, "too_few_voters", error.message)
            case .countOutOfRange, .nothingToIssue, .tooManyCodes: return (.unprocessableEntity, "invalid", error.message)
            }
        case let error as PaperMarksError:
            return (.unprocessableEntity, "invalid", error.message)
        case let error as PaperReadFailure:
            switch error {
            case .noCornerMarks: return (.unprocessableEntity, "page_unreadable", error.message)
            // The page can be sent again with the rater group, form and page printed on it (`group`, `form`, `page`).
            case .unreadableCode:
                return (.unprocessableEntity, "unreadable_code", error.message + "；也可以按纸面上印的文字指定评议人类别和评议表后重新上传")
            }
        case let error as PaperNamedPageFailure:
            return (.unprocessableEntity, error == .otherPage ? "page_not_as_named" : "unreadable_code", error.message)
        case let error as PaperPageProblem:
            return (.unprocessableEntity, "page_not_of_this_round", error.message)
        case let error as LifecycleError:
            return (.conflict, "wrong_state", error.message)
        case let error as AssessmentError:
            return (.unprocessableEntity, "invalid_assessment", error.message)
        case let error as FormSetError:
            if case .rules(let rules) = error { return (.unprocessableEntity, "invalid_rules", rules.message) }
            return (.unprocessableEntity, "invalid", error.message)
        case let error as MeetingFlowError:
            return error.isStateConflict ? (.conflict, "conflict", error.message) : (.unprocessableEntity, "invalid", error.message)
        case let error as SpeechClock.ClockError:
            return (.conflict, "conflict", error.message)
        case let error as RectificationError:
            let status: HTTPResponseStatus = switch error {
            case .notAllowed, .ownerCannotApprove: .forbidden
            case .illegal, .extensionPending, .noExtensionPending: .conflict
            case .reasonRequired, .evidenceRequired, .extensionNotLater: .unprocessableEntity
            }
            return (status, "rectification", error.message)
        case let error as LedgerRuleError:
            switch error {
            case .notEditor: return (.forbidden, "forbidden", error.message)
            case .closed, .closedForEvidence, .nothingToDocument: return (.conflict, "conflict", error.message)
            case .deadlineOnlyByExtension: return (.unprocessableEntity, "rectification", error.message)
            case .ownerCannotHandOver: return (.forbidden, "rectification", error.message)
            case .deadlineInPast, .tooManyUnits: return (.unprocessableEntity, "invalid", error.message)
            }
        case let error as PublicationError:
            return error == .unknownReportee ? (.notFound, "not_found", error.message) : (.unprocessableEntity, "invalid", error.message)
        case let error as any AbortError:
            return (error.status, code(for: error.status), chineseReason(for: error.status))
        case let error where databaseUnavailable(error):
            // Nothing was stored; the voting page and the console retry on 503.
            return (.serviceUnavailable, "database_unavailable", "数据库暂时不可用，请稍后重试（本次操作未保存）")
        default:
            return (.internalServerError, "internal", "服务器内部错误，请稍后重试")
        }
    }

    /// The database went away or is restarting (a killed server, a failover), rather than a fault in the request.
    static func databaseUnavailable(_ error: any Error) -> Bool {
        switch error {
        case is ConnectionPoolTimeoutError, is ConnectionPoolError, is NIOConnectionError, is ChannelError:
            return true
        case let error as PSQLError:
            if [.connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed].contains(error.code) {
                return true
            }
            // 08: connection exception; 57P01–57P03: shutting down or starting up; 40001/40P01: retry the transaction.
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || ["57P01", "57P02", "57P03", "40001", "40P01"].contains(state)
        default:
            return false
        }
    }

    static func code(for status: HTTPResponseStatus) -> String {
        switch status {
        case .badRequest: "bad_request"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .payloadTooLarge: "payload_too_large"
        case .unsupportedMediaType: "unsupported_media_type"
        case .unprocessableEntity: "unprocessable"
        case .tooManyRequests: "too_many_requests"
        default: status.code >= 500 ? "internal" : "error"
        }
    }

    static func chineseReason(for status: HTTPResponseStatus) -> String {
        switch status {
        case .badRequest: "请求格式不正确"
        case .unauthorized: "请先登录"
        case .forbidden: "没有权限执行此操作"
        case .notFound: "请求的页面或资源不存在"
        case .methodNotAllowed: "不支持此请求方法"
        case .payloadTooLarge: "提交的内容过大"
        case .unsupportedMediaType: "不支持的内容类型，请使用 JSON"
        case .unprocessableEntity: "提交的内容无法处理"
        case .tooManyRequests: "请求过于频繁，请稍后再试"
        default: status.code >= 500 ? "服务器内部错误，请稍后重试" : "请求失败"
        }
    }

    /// Names the field at fault without echoing the submitted value.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "请求体" : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "缺少字段 \(parent == "请求体" ? key.stringValue : parent + "." + key.stringValue)"
        case .typeMismatch(_, let context): return "字段 \(path(context)) 类型不正确"
        case .valueNotFound(_, let context): return "字段 \(path(context)) 不能为空"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "不是有效的 JSON" : "字段 \(path(context)) 的值无效"
        @unknown default: return "无法解析"
        }
    }
}

/// A 201 answer with a JSON body.
func created(_ body: some Content) throws -> Response {
    let response = Response(status: .created)
    try response.content.encode(body)
    return response
}
