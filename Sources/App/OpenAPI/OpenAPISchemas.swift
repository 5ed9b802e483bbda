import Foundation

/// Component schemas of the OpenAPI document, one per DTO.
enum OpenAPISchemas {
    static func object(_ properties: [String: JSONValue], required: [String]? = nil) -> JSONValue {
        [
            "type": "object",
            "properties": .object(properties),
            "required": .array((required ?? properties.keys.sorted()).map { .string($0) }),
        ]
    }

    static let string: JSONValue = ["type": "string"]
    static let uuid: JSONValue = ["type": "string", "format": "uuid"]
    static let integer: JSONValue = ["type": "integer"]
    static let number: JSONValue = ["type": "number"]
    static let boolean: JSONValue = ["type": "boolean"]
    static let dateTime: JSONValue = ["type": "string", "format": "date-time"]
    static func nullable(_ schema: JSONValue) -> JSONValue {
        guard case .object(var object) = schema else { return schema }
        object["nullable"] = true
        return .object(object)
    }
    static func map(of value: JSONValue) -> JSONValue { ["type": "object", "additionalProperties": value] }
    static let grade: JSONValue = ["type": "string", "enum": ["good", "fairly_good", "average", "poor"]]
    static let fraction = object(["numerator": integer, "denominator": integer])

    static let all: [String: JSONValue] = [
        "Error": object(["error": boolean, "code": string, "reason": string]),
        "LoginRequest": object([
            "username": ["type": "string", "minLength": 1, "maxLength": 100],
            "password": ["type": "string", "minLength": 1, "maxLength": 200],
        ]),
        "User": object([
            "id": uuid, "username": string, "displayName": string,
            "role": ["type": "string", "enum": ["system_admin", "campaign_admin", "chair", "teller", "scrutineer", "reportee"]],
            "roleLabel": string, "orgUnitID": nullable(uuid),
        ], required: ["id", "username", "displayName", "role", "roleLabel"]),
        "Session": object(["token": string, "expiresAt": dateTime, "user": OpenAPIDocument.ref("User")]),
        "CampaignSummary": object([
            "id": uuid, "title": string, "year": integer,
            "level": ["type": "string", "enum": ["district", "town", "community"]],
            "status": ["type": "string", "enum": ["preparing", "meeting", "counting", "published", "archived"]],
            "statusLabel": string, "isDemo": boolean, "orgUnitID": uuid,
        ]),
        "FormColumn": object(["id": string, "name": string, "kind": ["type": "string", "enum": ["overall", "item"]]]),
        "Form": object(["id": string, "name": string, "columns": ["type": "array", "items": OpenAPIDocument.ref("FormColumn")]]),
        "Rules": object([
            "points": object(["good": number, "fairlyGood": number, "average": number, "poor": number]),
            "raterGroupWeights": map(of: number),
            "formWeights": map(of: number),
            "grading": object([
                "bands": ["type": "array", "items": object(["grade": grade, "minimum": number])],
                "lowRatingThreshold": fraction,
                "lowRatingCeiling": grade,
                "maxGoodShare": fraction,
            ], required: ["bands", "lowRatingThreshold"]),
        ]),
        "RaterGroup": object(["id": uuid, "name": string, "weight": number], required: ["id", "name"]),
        "Reportee": object([
            "id": uuid, "name": string, "unitName": string, "title": string,
            "mode": ["type": "string", "enum": ["onsite", "written"]], "position": integer, "timeLimitSeconds": integer,
        ]),
        "CampaignDetail": object([
            "campaign": OpenAPIDocument.ref("CampaignSummary"),
            "forms": OpenAPIDocument.arrayOf("Form"),
            "rules": OpenAPIDocument.ref("Rules"),
            "raterGroups": OpenAPIDocument.arrayOf("RaterGroup"),
            "reportees": OpenAPIDocument.arrayOf("Reportee"),
            "participants": object(["attendees": integer, "observers": integer, "guests": integer]),
        ]),
        "DemoRemoval": object(["removedCampaigns": integer, "removedOrgUnits": integer]),
    ]
}
