import Foundation
import PingyiCore

/// Component schemas of the OpenAPI document, one per DTO.
enum OpenAPISchemas {
    /// An answer's object schema; `required` defaults to every property, `optional` lists those left out when they
    /// have no value. Answers never carry `null`: a value that does not exist is absent.
    static func object(_ properties: [String: JSONValue], optional: [String] = [], additional: Bool = false) -> JSONValue {
        [
            "type": "object",
            "properties": .object(properties),
            "required": .array(properties.keys.filter { !optional.contains($0) }.sorted().map { .string($0) }),
            "additionalProperties": .bool(additional),
        ]
    }

    /// A request body: every property optional unless listed as required.
    static func input(_ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
        [
            "type": "object",
            "properties": .object(properties),
            "required": .array(required.map { .string($0) }),
        ]
    }

    static let string: JSONValue = ["type": "string"]
    static let uuid: JSONValue = ["type": "string", "format": "uuid"]
    static let integer: JSONValue = ["type": "integer"]
    static let number: JSONValue = ["type": "number"]
    /// A share from 0 to 1 (0.5 is 50%).
    static let rate: JSONValue = ["type": "number", "minimum": 0, "maximum": 1]
    static let count: JSONValue = ["type": "integer", "minimum": 0]
    static let positive: JSONValue = ["type": "integer", "minimum": 1]
    static let boolean: JSONValue = ["type": "boolean"]
    static let scanState = enumeration(["read", "unsure", "decided_once", "mismatch", "confirmed", "possible_duplicate", "discarded"])
    static let dateTime: JSONValue = ["type": "string", "format": "date-time"]
    static func text(_ max: Int) -> JSONValue { ["type": "string", "maxLength": .number(Double(max))] }
    static func nullable(_ schema: JSONValue) -> JSONValue {
        guard case .object(var object) = schema else { return schema }
        object["nullable"] = true
        return .object(object)
    }
    static func enumeration(_ values: [String]) -> JSONValue { ["type": "string", "enum": .array(values.map { .string($0) })] }
    static func map(of value: JSONValue) -> JSONValue { ["type": "object", "additionalProperties": value] }
    static let grade = enumeration(["good", "fairly_good", "average", "poor"])
    static let fraction = object(["numerator": integer, "denominator": integer])
    static let role = enumeration(["system_admin", "campaign_admin", "chair", "teller", "scrutineer", "reportee"])
    static let level = enumeration(["district", "town", "community"])
    static let status = enumeration(["preparing", "meeting", "counting", "published", "archived"])
    static let mode = enumeration(["onsite", "written"])
    static let participantRole = enumeration(["attendee", "observer", "guest"])

    static let all: [String: JSONValue] = [
        "Error": object(["error": boolean, "code": string, "reason": string]),
        "ImportError": object([
            "error": boolean, "code": string, "reason": string,
            "issues": ["type": "array", "items": object(["line": integer, "message": string])],
        ], optional: ["issues"]),
        "ImportResult": object(["imported": integer]),
        "LoginRequest": input([
            "username": ["type": "string", "minLength": 1, "maxLength": 100],
            "password": ["type": "string", "minLength": 1, "maxLength": 200],
            "mode": enumeration(["token", "cookie"]),
        ], required: ["username", "password"]),
        "PasswordChange": input(["currentPassword": string, "newPassword": text(200)], required: ["currentPassword", "newPassword"]),
        "User": object([
            "id": uuid, "username": string, "displayName": string, "role": role, "roleLabel": string, "orgUnitID": uuid,
        ], optional: ["orgUnitID"]),
        "Me": object(["user": OpenAPIDocument.ref("User"), "csrfToken": string, "may": OpenAPIDocument.ref("AccountCapabilities")],
                     optional: ["csrfToken", "may"]),
        "Session": object(["token": string, "csrfToken": string, "expiresAt": dateTime, "user": OpenAPIDocument.ref("User")],
                          optional: ["token", "csrfToken"]),
        "UserAdmin": object([
            "id": uuid, "username": string, "displayName": string, "role": role, "roleLabel": string,
            "orgUnitID": uuid, "orgUnitName": string, "locked": boolean,
        ], optional: ["orgUnitID", "orgUnitName"]),
        "UserCreate": input(["username": text(50), "displayName": text(50), "role": role, "orgUnitID": uuid, "password": text(200)],
                            required: ["username", "displayName", "role", "password"]),
        "UserUpdate": input(["displayName": text(50), "role": role, "orgUnitID": uuid, "password": text(200), "unlock": boolean]),
        "OrgUnit": object([
            "id": uuid, "parentID": uuid, "name": string, "kind": string, "domain": string, "domainLabel": string,
            "secretaryName": string, "position": integer, "isDemo": boolean,
        ], optional: ["parentID"]),
        "OrgUnitCreate": input(["parentID": uuid, "name": text(100), "kind": string, "domain": string, "secretaryName": text(50)],
                               required: ["name", "kind", "domain"]),
        "OrgUnitUpdate": input(["name": text(100), "kind": string, "domain": string, "secretaryName": text(50), "parentID": uuid]),
        "CampaignSummary": object([
            "id": uuid, "title": string, "year": integer, "level": level, "levelLabel": string,
            "status": status, "statusLabel": string, "isDemo": boolean, "orgUnitID": uuid,
        ]),
        "CampaignCreate": input(["title": text(200), "year": integer, "level": level, "orgUnitID": uuid, "copyFrom": uuid],
                                required: ["title", "year", "level", "orgUnitID"]),
        "CampaignUpdate": input(["title": text(200), "year": integer, "level": level, "materialsPublic": boolean]),
        "StatusChange": input(["status": status], required: ["status"]),
        "FormColumn": object(["id": string, "name": string, "kind": enumeration(["overall", "item"])]),
        "Form": object(["id": string, "name": string, "columns": OpenAPIDocument.arrayOf("FormColumn")]),
        "FormInputList": [
            "type": "array",
            "items": input([
                "id": string, "name": text(50),
                "columns": ["type": "array", "items": input(["id": string, "name": text(50), "kind": enumeration(["overall", "item"])],
                                                             required: ["name", "kind"])],
            ], required: ["name", "columns"]),
        ],
        "Rules": object([
            "points": object(["good": number, "fairlyGood": number, "average": number, "poor": number]),
            "raterGroupWeights": map(of: number),
            "formWeights": map(of: number),
            "grading": object([
                "bands": ["type": "array", "items": object(["grade": grade, "minimum": number])],
                "lowRatingThreshold": fraction,
                "lowRatingCeiling": grade,
                "maxGoodShare": fraction,
            ], optional: ["lowRatingCeiling", "maxGoodShare"]),
            "minimumGroupSize": ["type": "integer", "minimum": 1, "maximum": 50],
        ], optional: ["minimumGroupSize"]),
        "RaterGroup": object(["id": uuid, "name": string, "position": integer, "weight": number, "attendees": integer],
                             optional: ["weight"]),
        "RaterGroupCreate": input(["name": text(30), "weight": number], required: ["name"]),
        "RaterGroupUpdate": input(["name": text(30), "position": integer]),
        "ReportInfo": object(["fileName": string, "contentType": string, "byteCount": integer, "sha256": string]),
        "Reportee": object([
            "id": uuid, "name": string, "unitName": string, "title": string, "mode": mode, "modeLabel": string,
            "position": integer, "timeLimitSeconds": integer, "orgUnitID": uuid, "userID": uuid,
            "report": OpenAPIDocument.ref("ReportInfo"),
        ], optional: ["orgUnitID", "userID", "report"]),
        "ReporteeCreate": input([
            "name": text(50), "unitName": text(100), "title": text(50), "mode": mode, "timeLimitSeconds": integer,
            "orgUnitID": uuid, "userID": uuid,
        ], required: ["name", "unitName", "mode"]),
        "ReporteeUpdate": input([
            "name": text(50), "unitName": text(100), "title": text(50), "mode": mode, "timeLimitSeconds": integer,
            "position": integer, "orgUnitID": uuid, "userID": uuid,
        ]),
        "CampaignDetail": object([
            "campaign": OpenAPIDocument.ref("CampaignSummary"),
            "forms": OpenAPIDocument.arrayOf("Form"),
            "rules": OpenAPIDocument.ref("Rules"),
            "raterGroups": OpenAPIDocument.arrayOf("RaterGroup"),
            "reportees": OpenAPIDocument.arrayOf("Reportee"),
            "participants": object(["attendees": integer, "observers": integer, "guests": integer]),
            "permissions": object(["manage": boolean, "viewParticipants": boolean]),
            "may": OpenAPIDocument.ref("CampaignCapabilities"),
            "materialsPath": string,
            "materialsPublic": boolean,
            "nextStatus": status,
            "readiness": ["type": "array", "items": object([
                "key": enumeration(["forms", "rater_groups", "rules", "reportees", "attendees", "accounts", "written_reports"]),
                "label": string, "done": boolean, "required": boolean, "detail": string,
            ])],
        ], optional: ["materialsPath", "nextStatus", "readiness", "may"]),
        "CampaignCapabilities": object(Dictionary(uniqueKeysWithValues: CampaignCapabilities.notes.map { note in
            (note.key, note.key == "changeStatus" ? ["type": "array", "items": status] as JSONValue : boolean)
        })),
        "AccountCapabilities": object(Dictionary(uniqueKeysWithValues: AccountCapabilities.notes.map { note in
            (note.key, note.key == "createRoles" || note.key == "rolesWithoutUnit" ? ["type": "array", "items": role] as JSONValue : boolean)
        })),
        "Participant": object([
            "id": uuid, "name": string, "unitName": string, "role": participantRole, "roleLabel": string,
            "raterGroupID": uuid, "position": integer, "checkedInAt": dateTime, "checkInCode": string,
        ], optional: ["raterGroupID", "checkedInAt", "checkInCode"]),
        "ParticipantCreate": input(["name": text(50), "unitName": text(100), "role": participantRole, "raterGroupID": uuid],
                                   required: ["name", "role"]),
        "ParticipantUpdate": input(["name": text(50), "unitName": text(100), "role": participantRole, "raterGroupID": uuid]),
        "AuditEntry": object([
            "id": uuid, "at": dateTime, "actor": string, "action": string, "summary": string, "before": string, "after": string,
        ], optional: ["before", "after"]),
        "DemoRemoval": object(["removedCampaigns": integer, "removedOrgUnits": integer]),
        "Counts": object(["good": integer, "fairlyGood": integer, "average": integer, "poor": integer, "abstentions": integer,
                          "voids": integer, "valid": integer]),
        "Results": object([
            "campaignID": uuid, "campaignTitle": string, "year": integer, "status": string,
            "roundNumber": integer, "reconciliation": OpenAPIDocument.ref("Reconciliation"), "assessmentWeights": map(of: number),
            "withheld": boolean, "minimumGroupSize": integer,
            "reportees": OpenAPIDocument.arrayOf("ReporteeResult"),
        ], optional: ["reconciliation"]),
        "ReporteeResult": object([
            "reporteeID": string, "name": string, "unitName": string, "title": string, "composite": number, "goodRate": rate,
            "poorRate": rate, "weightedGoodRate": rate, "rank": positive, "grade": grade, "gradeLabel": string,
            "flags": ["type": "array", "items": object([
                "code": enumeration(["low_rating", "limited_by_low_rating", "demoted_by_good_share_cap", "no_valid_votes"]),
                "formID": string, "from": grade, "to": grade, "message": string,
            ], optional: ["formID", "from", "to"])],
            "forms": ["type": "array", "items": object([
                "formID": string, "name": string, "score": number, "goodRate": rate, "weightedGoodRate": rate,
                "columns": ["type": "array", "items": object([
                    "columnID": string, "name": string, "kind": enumeration(["overall", "item"]),
                    "counts": OpenAPIDocument.ref("Counts"), "goodRate": rate, "poorRate": rate, "meanPoints": number,
                    "weightedPoints": number, "weightedGoodRate": rate,
                    "byGroup": ["type": "array", "items": object([
                        "raterGroupID": string, "raterGroup": string, "counts": OpenAPIDocument.ref("Counts"), "meanPoints": number,
                        "goodRate": rate,
                    ], optional: ["meanPoints", "goodRate"])],
                ], optional: ["goodRate", "poorRate", "meanPoints", "weightedPoints", "weightedGoodRate"])],
            ], optional: ["score", "goodRate", "weightedGoodRate"])],
            "assessment": OpenAPIDocument.ref("Assessment"),
        ], optional: ["composite", "goodRate", "poorRate", "weightedGoodRate", "rank", "grade", "gradeLabel", "assessment"]),
        "Assessment": object([
            "parts": ["type": "array", "items": object([
                "component": enumeration(AssessmentComponent.allCases.map(\.rawValue)), "label": string, "score": number, "weight": number,
            ], optional: ["score"])],
            "score": number, "grade": grade, "gradeLabel": string, "veto": string,
            "missing": ["type": "array", "items": string], "notes": ["type": "array", "items": string],
            "notApplicable": ["type": "array", "items": enumeration(AssessmentComponent.allCases.map(\.rawValue))],
        ], optional: ["score", "grade", "gradeLabel", "veto"]),
        "AssessmentWeights": input(["weights": map(of: ["type": "number", "minimum": 0])], required: ["weights"]),
        "AssessmentEntry": input([
            "scores": map(of: ["type": "number", "minimum": 0, "maximum": 100]), "veto": nullable(text(500)),
        ], required: ["scores"]),
        "ResultSheet": object([
            "campaignID": uuid, "campaignTitle": string, "year": integer, "roundNumber": integer,
            "reconciliation": OpenAPIDocument.ref("Reconciliation"), "rankedCount": integer,
            "raterGroups": ["type": "array", "items": object(["id": string, "name": string, "memberIDs": ["type": "array", "items": uuid]])],
            "reportee": OpenAPIDocument.ref("ReporteeResult"),
            "withheld": boolean, "minimumGroupSize": integer,
        ], optional: ["reconciliation"]),
        "HistoryEntry": object([
            "campaignID": uuid, "campaignTitle": string, "year": integer, "reporteeID": uuid, "unitName": string,
            "composite": number, "goodRate": number, "rank": integer, "rankedCount": integer, "grade": string, "finalGrade": string,
        ], optional: ["composite", "goodRate", "rank", "grade", "finalGrade"]),
        "MyResult": object(["campaignID": uuid, "campaignTitle": string, "year": integer, "reporteeID": uuid, "published": boolean]),
        "CampaignOverview": object([
            "campaignID": uuid, "title": string, "year": integer, "orgUnitName": string, "level": string, "levelLabel": string,
            "status": string, "statusLabel": string, "reportees": integer, "counted": boolean, "averageComposite": number,
            "averageGoodRate": number, "grades": map(of: integer), "finalGrades": map(of: integer), "flagged": integer,
        ], optional: ["averageComposite", "averageGoodRate"]),
        "PublicationCreate": input([
            "title": text(200), "reporteeIDs": ["type": "array", "items": uuid, "minItems": 1],
            "days": ["type": "integer", "minimum": 1, "maximum": 30],
            "issuer": nullable(text(100)), "contact": nullable(text(100)), "objectionText": nullable(text(500)),
        ], required: ["reporteeIDs", "days"]),
        "PublishedRow": object([
            "name": string, "unitName": string, "title": string, "goodRate": number, "composite": number, "rank": integer,
            "evaluationGrade": string, "finalGrade": string,
        ], optional: ["goodRate", "composite", "rank", "evaluationGrade", "finalGrade"]),
        "Publication": object([
            "id": uuid, "campaignID": uuid, "title": string, "startsAt": dateTime, "endsAt": dateTime, "withdrawnAt": dateTime,
            "showing": boolean, "publishedBy": string, "url": string, "rows": OpenAPIDocument.arrayOf("PublishedRow"),
            "issuer": string, "contact": string, "objectionText": string,
        ], optional: ["withdrawnAt", "issuer", "contact", "objectionText"]),
        "PublicNotice": object([
            "id": uuid, "title": string, "organization": string, "year": integer, "startsAt": dateTime, "endsAt": dateTime,
            "rows": OpenAPIDocument.arrayOf("PublishedRow"), "auditSeq": integer, "auditHash": string,
            "issuer": string, "contact": string, "objectionText": string, "receiptsPath": string,
        ], optional: ["auditSeq", "auditHash", "contact", "receiptsPath"]),
        "RectificationInput": input([
            "orgUnitID": uuid, "campaignID": uuid, "reporteeID": uuid,
            "source": enumeration(RectificationSource.allCases.map(\.rawValue)), "category": text(50), "problem": text(2000),
            "plan": text(4000), "linkedLeader": text(50), "responsibleUnit": text(100), "responsiblePerson": text(50), "ownerUserID": uuid,
            "responsibleUnitIDs": ["type": "array", "items": uuid, "maxItems": 20],
            "deadline": ["type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"], "feedback": text(4000), "publishWhenClosed": boolean,
        ]),
        "RectificationAction": input([
            "action": enumeration(RectificationAction.allCases.map(\.rawValue)), "note": text(2000),
            "deadline": ["type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"],
        ], required: ["action"]),
        "RectificationItem": object([
            "id": uuid, "orgUnitID": uuid, "orgUnitName": string, "campaignID": uuid, "reporteeID": uuid,
            "source": enumeration(RectificationSource.allCases.map(\.rawValue)), "sourceLabel": string, "category": string,
            "problem": string, "plan": string, "linkedLeader": string, "responsibleUnit": string, "responsiblePerson": string,
            "ownerUserID": uuid, "deadline": string, "state": enumeration(RectificationState.allCases.map(\.rawValue)), "stateLabel": string,
            "overdue": boolean, "dueSoon": boolean, "pendingExtension": object(["deadline": string, "reason": string]),
            "evidenceCount": integer, "reopenCount": integer, "feedback": string, "publishWhenClosed": boolean, "closedAt": dateTime,
            "createdBy": string, "createdAt": dateTime, "latestProgress": string,
            "actions": ["type": "array", "items": enumeration(RectificationAction.allCases.map(\.rawValue))], "canEdit": boolean,
            "responsibleUnitIDs": ["type": "array", "items": uuid],
        ], optional: ["campaignID", "reporteeID", "ownerUserID", "pendingExtension", "closedAt", "createdAt", "latestProgress"]),
        "Evidence": object([
            "id": uuid, "fileName": string, "contentType": string, "byteCount": integer, "sha256": string, "uploadedBy": string,
            "uploadedAt": dateTime,
        ]),
        "RectificationDetail": object([
            "item": OpenAPIDocument.ref("RectificationItem"),
            "events": ["type": "array", "items": object([
                "at": dateTime, "actor": string, "action": string, "actionLabel": string, "fromState": string, "toState": string, "note": string,
            ], optional: ["fromState", "toState"])],
            "evidence": OpenAPIDocument.arrayOf("Evidence"),
        ]),
        "LedgerDashboardRow": object([
            "orgUnitID": uuid, "orgUnitName": string, "open": integer, "overdue": integer, "dueSoon": integer, "closed": integer,
        ]),
        "Reminders": object([
            "units": ["type": "array", "items": object(["unit": string, "dueSoon": integer, "overdue": integer])],
            "items": OpenAPIDocument.arrayOf("RectificationItem"),
        ]),
        "PublicRectification": object([
            "unit": string, "category": string, "problem": string, "plan": string, "feedback": string, "closedOn": string,
            "result": string,
        ], optional: ["result"]),
        "RoundOpen": input(["codes": map(of: integer), "paperSheets": map(of: integer)]),
        "ExtraCodes": input(["raterGroupID": uuid, "count": integer], required: ["raterGroupID", "count"]),
        "ExtraSheets": input(["count": integer], required: ["count"]),
        "Reconciliation": object([
            "issued": count, "returned": count, "valid": count, "void": count, "unreturned": count,
            "codes": object(["issued": count, "returned": count]), "sheets": object(["issued": count, "returned": count]),
            "forms": ["type": "array", "items": object(["formID": string, "formName": string, "issued": count, "returned": count, "void": count],
                                                       optional: ["void"])],
            "scanSample": OpenAPIDocument.ref("ScanSample"),
            "verdict": enumeration(["valid", "void"]), "verdictLabel": string, "summary": string,
        ], optional: ["codes", "sheets", "forms", "scanSample"]),
        "ScanSample": object(["pages": count, "drawn": count, "checked": count, "corrected": count, "discarded": count, "summary": string],
                             optional: ["discarded"]),
        "BoxCounts": input(["counts": ["type": "array", "items": ["type": "integer", "minimum": 0, "maximum": 100_000], "maxItems": 8]], required: ["counts"]),
        "ScanMarks": input(["marks": ["type": "string", "pattern": "^[0-4Xx]*$", "maxLength": 1000], "keep": boolean,
                            "raterGroupID": uuid, "formIndex": ["type": "integer", "minimum": 0, "maximum": 7]]),
        "PaperScans": object([
            "round": OpenAPIDocument.ref("Round"), "paperForms": OpenAPIDocument.arrayOf("PaperForms"),
            "forms": ["type": "array", "items": object([
                "formIndex": count, "formID": string, "formName": string, "pages": count, "issued": count, "boxCount": count,
                "recognized": count, "pending": count, "keyedByHand": count,
            ], optional: ["boxCount"])],
            "scans": ["type": "array", "items": object([
                "id": uuid, "ref": string, "raterGroupID": uuid, "raterGroup": string, "formIndex": count, "formName": string, "page": count,
                "state": scanState, "stateLabel": string, "unsure": count, "sampled": boolean, "sampleChecked": boolean, "decidedByMe": boolean,
                "actions": ["type": "array", "items": enumeration(["decide", "rule", "discard"])],
            ])],
            "sample": OpenAPIDocument.ref("ScanSample"),
            "may": OpenAPIDocument.ref("CampaignCapabilities"),
        ], optional: ["sample"]),
        "PaperScan": object([
            "id": uuid, "raterGroupID": uuid, "raterGroup": string, "formIndex": count, "formName": string, "page": count,
            "state": scanState, "stateLabel": string, "repeated": boolean, "reading": string,
            "rows": ["type": "array", "items": string], "columns": ["type": "array", "items": string],
            "columnSpans": ["type": "array", "items": ["type": "array", "items": number]], "sampled": boolean,
            "decisions": ["type": "array", "items": string], "duplicateOf": uuid, "ref": string, "duplicateNote": string,
        ], optional: ["duplicateOf", "duplicateNote"]),
        "PaperForms": object(["raterGroupID": uuid, "raterGroup": string, "count": integer]),
        "NumberSheet": input(["raterGroupID": uuid, "formIndex": ["type": "integer", "minimum": 0, "maximum": 7],
                              "page": ["type": "integer", "minimum": 0, "maximum": 15],
                              "requestKey": ["type": "string", "pattern": "^[A-Za-z0-9-]{8,64}$"]], required: ["raterGroupID"]),
        "Round": object([
            "id": uuid, "number": integer, "state": enumeration(["open", "sealed", "counted", "void"]), "stateLabel": string,
            "issuedCodes": integer, "issuedSheets": integer, "extraSheets": integer, "receivedElectronic": integer,
            "keyedSheets": integer, "pendingSheets": integer, "mismatchedSheets": integer, "received": integer, "issued": integer,
            "reconciliation": OpenAPIDocument.ref("Reconciliation"), "openedAt": dateTime, "sealedAt": dateTime, "countedAt": dateTime,
        ], optional: ["reconciliation", "sealedAt", "countedAt"]),
        "RoundOpened": object([
            "round": OpenAPIDocument.ref("Round"),
            "codes": ["type": "array", "items": object(["raterGroup": string, "code": string, "url": string, "qrSVG": string])],
            "paperForms": OpenAPIDocument.arrayOf("PaperForms"),
        ]),
        "PaperEntry": input(["marks": ["type": "string", "pattern": "^[0-4Xx]*$", "maxLength": 10000], "unreadable": boolean], required: ["marks"]),
        "PaperSheetStatus": object([
            "serial": integer, "raterGroupID": uuid, "raterGroup": string, "formIndex": count, "page": count,
            "state": enumeration(["issued", "keyed_once", "mismatch", "confirmed", "withdrawn"]), "stateLabel": string, "entries": integer, "keyedByMe": boolean,
        ], optional: ["formIndex", "page"]),
        "PaperOverview": object([
            "round": OpenAPIDocument.ref("Round"),
            "layout": ["type": "array", "items": object([
                "position": count, "reporteeID": string, "formID": string, "columnID": string, "label": string,
            ])],
            "paperForms": OpenAPIDocument.arrayOf("PaperForms"), "sheets": OpenAPIDocument.arrayOf("PaperSheetStatus"),
        ]),
        "PaperSheetDetail": object([
            "serial": integer, "state": string, "stateLabel": string, "entries": integer,
            "differences": ["type": "array", "items": object(["cell": integer, "label": string, "first": string, "second": string])],
            "readings": ["type": "array", "items": string],
        ]),
        "ReceiptList": object(["campaignTitle": string, "roundNumber": integer, "state": string, "receipts": ["type": "array", "items": string]]),
        "VoteCheck": input(["code": text(64)], required: ["code"]),
        "VoteBallot": object([
            "campaignTitle": string, "roundNumber": integer, "raterGroup": string,
            "reportees": ["type": "array", "items": object(["id": uuid, "name": string, "unitName": string, "title": string, "mode": mode])],
            "forms": OpenAPIDocument.arrayOf("Form"), "used": boolean,
        ]),
        "Vote": [
            "type": "object", "additionalProperties": false, "required": ["code", "submissionID"],
            "description": "Exactly one of marks (a list) or ballot (compact: reportee id → form id → one symbol per column, 1 好 … 4 差, 0 弃权).",
            "properties": [
                "code": text(64),
                "submissionID": ["type": "string", "minLength": 8, "maxLength": 64, "pattern": "^[A-Za-z0-9-]+$"],
                "marks": ["type": "array", "items": [
                    "type": "object", "additionalProperties": false, "required": ["reportee", "form", "column", "grade"],
                    "properties": ["reportee": string, "form": string, "column": string, "grade": string],
                ]],
                "ballot": map(of: map(of: ["type": "string", "pattern": "^[0-4]*$"])),
            ],
        ],
        "VoteReceipt": object(["receipt": string, "roundNumber": integer, "alreadyRecorded": boolean, "receiptsPath": string]),
        "LiveRound": object(["number": integer, "state": enumeration(["open", "sealed", "counted", "void"]), "stateLabel": string,
                             "issued": integer, "received": integer, "issuedCodes": count, "receivedPhone": count, "issuedSheets": count,
                             "groups": ["type": "array", "items": object(["name": string, "issued": count, "received": count, "paperIssued": count])]]),
        "AgendaItem": object(["title": string, "kind": enumeration(["reports", "evaluation", "summary", "other"])]),
        "AgendaInputList": ["type": "array", "items": input(["title": text(50), "kind": enumeration(["reports", "evaluation", "summary", "other"])],
                                                             required: ["title", "kind"])],
        "CurrentItem": input(["index": integer], required: ["index"]),
        "Message": input(["text": text(80)], required: ["text"]),
        "Comment": input(["text": text(2000), "skip": boolean]),
        "CheckInCard": object(["name": string, "unitName": string, "roleLabel": string, "raterGroup": string, "code": string, "qrSVG": string],
                              optional: ["raterGroup"]),
        "CheckIn": input(["participantID": uuid, "code": text(40)]),
        "Clock": object([
            "limitSeconds": integer, "startedAtMs": number, "pausedAtMs": number, "pausedSeconds": number, "endedAtMs": number,
            "phase": enumeration(["not_started", "running", "warning", "overtime", "paused", "finished"]),
        ], optional: ["startedAtMs", "pausedAtMs", "endedAtMs"]),
        "Speaker": object([
            "reporteeID": uuid, "position": integer, "name": string, "unitName": string, "title": string,
            "clock": OpenAPIDocument.ref("Clock"), "durationSeconds": integer, "commented": boolean, "commentSkipped": boolean,
        ], optional: ["durationSeconds"]),
        "AttendanceSummary": object([
            "attendance": object([
                "groups": ["type": "array", "items": object(["name": string, "expected": integer, "present": integer])],
                "observersPresent": integer, "observersExpected": integer, "guestsPresent": integer, "guestsExpected": integer,
            ]),
            "attendeesPresent": integer, "attendeesExpected": integer, "hasQuorum": boolean, "shortOfQuorum": integer,
        ]),
        "LiveState": object([
            "type": enumeration(["state"]), "campaignTitle": string, "status": status,
            "agenda": OpenAPIDocument.arrayOf("AgendaItem"), "currentItem": integer, "message": string,
            "speakers": OpenAPIDocument.arrayOf("Speaker"), "currentReporteeID": uuid,
            "attendance": OpenAPIDocument.ref("AttendanceSummary"), "round": OpenAPIDocument.ref("LiveRound"),
            "revision": integer, "serverTimeMs": number,
        ], optional: ["currentReporteeID", "round"]),
        "Meeting": object([
            "live": OpenAPIDocument.ref("LiveState"), "comments": map(of: string), "projectorPath": string, "canChair": boolean,
            "voteURL": string, "voteAddressWarning": string,
        ], optional: ["voteAddressWarning"]),
        "CheckInResult": object([
            "participant": OpenAPIDocument.ref("Participant"), "alreadyCheckedIn": boolean,
            "attendance": OpenAPIDocument.ref("AttendanceSummary"),
        ]),
        "Minutes": object([
            "title": string, "year": integer, "meetingDate": dateTime, "meetingDateText": string,
            "agenda": OpenAPIDocument.arrayOf("AgendaItem"), "attendance": OpenAPIDocument.ref("AttendanceSummary"),
            "guestUnits": ["type": "array", "items": string],
            "speakers": ["type": "array", "items": object([
                "reporteeID": uuid, "position": integer, "name": string, "unitName": string, "title": string, "limitSeconds": integer,
                "limitText": string, "durationSeconds": integer, "durationText": string, "overtime": boolean,
                "comment": string, "commentSkipped": boolean,
            ], optional: ["durationSeconds", "comment"])],
            "writtenReportees": ["type": "array", "items": string],
            "rounds": ["type": "array", "items": object([
                "number": integer, "stateLabel": string, "issued": integer, "returned": integer, "valid": integer, "void": integer,
                "verdictLabel": string,
                "groups": ["type": "array", "items": object(["name": string, "issued": integer, "received": integer, "paperIssued": integer])],
            ], optional: ["valid", "void", "verdictLabel"])],
        ], optional: ["meetingDate"]),
    ]
}
