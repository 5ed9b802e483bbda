import os
os.chdir("/work/wt-walk")
def sub(p, old, new, count=1):
    s = open(p).read()
    assert old in s, (p, old[:80])
    s = s.replace(old, new, count)
    open(p, "w").write(s)

open("Sources/App/Migrations/AddRectificationResponsibleUnits.swift", "w").write('''import Fluent

/// 责任单位 picked from the org tree (issue 23's walk): the units' ids, as JSON; items from before keep their free text.
struct AddRectificationResponsibleUnits: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(RectificationItem.schema).field("responsible_unit_ids", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(RectificationItem.schema).deleteField("responsible_unit_ids").update()
    }
}
''')
sub("Sources/App/Migrations/Migrations.swift", "        AddMissingMeetings(),\n", "        AddMissingMeetings(),\n        AddRectificationResponsibleUnits(),\n")
sub("Sources/App/Models/Rectification.swift", '''    @OptionalField(key: "former_owner_ids") var storedFormerOwners: String?''', '''    @OptionalField(key: "former_owner_ids") var storedFormerOwners: String?
    /// 责任单位 picked from the org tree, as JSON; empty for items whose 责任单位 is free text only.
    @OptionalField(key: "responsible_unit_ids") var storedResponsibleUnits: String?
    var responsibleUnitIDs: [UUID] {
        get { storedResponsibleUnits.flatMap { try? JSONDecoder().decode([UUID].self, from: Data($0.utf8)) } ?? [] }
        set { storedResponsibleUnits = newValue.isEmpty ? nil : (try? JSONEncoder().encode(newValue)).map { String(decoding: $0, as: UTF8.self) } }
    }''')
# PingyiCore rules
sub("Sources/PingyiCore/LedgerRules.swift", '''    /// One item as the dashboard counts it.''', '''    /// At most this many 责任单位 picked for one item.
    public static let maxResponsibleUnits = 20

    /// The picked 责任单位 in the order picked, each once; more than `maxResponsibleUnits` is refused.
    public static func pickedUnits<ID: Hashable>(_ picked: [ID]) throws(LedgerRuleError) -> [ID] {
        var seen = Set<ID>()
        let units = picked.filter { seen.insert($0).inserted }
        if units.count > maxResponsibleUnits { throw .tooManyUnits }
        return units
    }

    /// The 责任单位 text for picked units: their names joined with 、, shortened to fit `limit` characters ("…等 N 个单位").
    public static func responsibleUnitText(_ names: [String], limit: Int = 100) -> String {
        let whole = names.joined(separator: "、")
        if whole.count <= limit { return whole }
        for kept in stride(from: names.count - 1, through: 1, by: -1) {
            let text = names.prefix(kept).joined(separator: "、") + "等 \\(names.count) 个单位"
            if text.count <= limit { return text }
        }
        return String(names[0].prefix(limit - 8)) + "等 \\(names.count) 个单位"
    }

    /// The units the dashboard counts an item under: its picked 责任单位, or — for an item whose 责任单位 is free text —
    /// the organisation it was filed under.
    public static func countedUnits<ID: Hashable>(picked: [ID], filedUnder: ID) -> [ID] {
        picked.isEmpty ? [filedUnder] : picked
    }

    /// One item as the dashboard counts it.''')
sub("Sources/PingyiCore/LedgerRules.swift", '''    case closedForEvidence
''', '''    case closedForEvidence
    case tooManyUnits
''')
sub("Sources/PingyiCore/LedgerRules.swift", '''        case .closedForEvidence: "已销号的问题不能再上传佐证材料"''', '''        case .closedForEvidence: "已销号的问题不能再上传佐证材料"
        case .tooManyUnits: "责任单位最多选 \\(LedgerRules.maxResponsibleUnits) 个"''')
sub("Sources/App/APIError.swift", '''            case .deadlineInPast: return (.unprocessableEntity, "invalid", error.message)
            }''', '''            case .deadlineInPast, .tooManyUnits: return (.unprocessableEntity, "invalid", error.message)
            }''')
# DTOs
sub("Sources/App/DTOs/RectificationDTOs.swift", '''    var feedback: String?
    var publishWhenClosed: Bool?
}''', '''    var feedback: String?
    var publishWhenClosed: Bool?
    /// 责任单位 picked from the org tree (in the writer's scope); when given and not empty, 责任单位 becomes their names.
    /// An empty list clears the picks and keeps the free text.
    var responsibleUnitIDs: [UUID]?
}''')
sub("Sources/App/DTOs/RectificationDTOs.swift", '''    var canEdit: Bool
}''', '''    var canEdit: Bool
    /// 责任单位 picked from the org tree; empty when 责任单位 is free text only (items from before the picker).
    var responsibleUnitIDs: [UUID] = []
}''')
sub("Sources/App/Queries/LedgerView.swift", '''        actions: actions.map(\\.rawValue), canEdit: LedgerRules.canEdit(item.state, by: role))''',
    '''        actions: actions.map(\\.rawValue), canEdit: LedgerRules.canEdit(item.state, by: role), responsibleUnitIDs: item.responsibleUnitIDs)''')
sub("Sources/App/Queries/LedgerView.swift", '''        let tally = LedgerRules.dashboard(items.map {
            LedgerRules.DashboardItem(unit: $0.orgUnitID.uuidString, unitName: names[$0.orgUnitID] ?? "", status: $0.status)
        }, at: Date())''', '''        // Each item under its picked 责任单位 (an item with two units counts in both rows), or where it was filed.
        let tally = LedgerRules.dashboard(items.flatMap { item in
            LedgerRules.countedUnits(picked: item.responsibleUnitIDs, filedUnder: item.orgUnitID).map {
                LedgerRules.DashboardItem(unit: $0.uuidString, unitName: names[$0] ?? "", status: item.status)
            }
        }, at: Date())''')
sub("Sources/App/Queries/LedgerView.swift", '''    if let unit = filter.unit { query = query.filter(\\.$orgUnitID == unit) }
''', '')
sub("Sources/App/Queries/LedgerView.swift", '''    var items = try await query.sort(\\.$createdAt).sort(\\.$id).all()
''', '''    var items = try await query.sort(\\.$createdAt).sort(\\.$id).all()
    // A unit's items are those the dashboard counts under it: picked as 责任单位, or filed under it without picks.
    if let unit = filter.unit { items = items.filter { LedgerRules.countedUnits(picked: $0.responsibleUnitIDs, filedUnder: $0.orgUnitID).contains(unit) } }
''')
# Operation
sub("Sources/App/Operations/Ledger.swift", '''    private static func fill(_ item: RectificationItem, from body: RectificationItemRequest, creating: Bool, actor: Actor,''',
    '''    private static func fill(_ item: RectificationItem, from request: RectificationItemRequest, creating: Bool, actor: Actor,''')
sub("Sources/App/Operations/Ledger.swift", '''                             on db: any Database) async throws {
        func text(_ value: String?, _ label: String, max: Int, required: Bool) throws -> String? {''', '''                             on db: any Database) async throws {
        var body = request
        // 责任单位 picked from the org tree: each in the writer's scope; the names become the 责任单位 text.
        if let picked = body.responsibleUnitIDs {
            let ids = try LedgerRules.pickedUnits(picked)
            var names: [String] = []
            for id in ids {
                guard actor.scope.contains(id), let unit = try await OrgUnit.find(id, on: db) else { throw APIError.notFound("责任单位") }
                names.append(unit.name)
            }
            item.responsibleUnitIDs = ids
            if !ids.isEmpty { body.responsibleUnit = LedgerRules.responsibleUnitText(names) }
        }
        func text(_ value: String?, _ label: String, max: Int, required: Bool) throws -> String? {''')
# OpenAPI
sub("Sources/App/OpenAPI/OpenAPISchemas.swift", '''            "actions": ["type": "array", "items": enumeration(RectificationAction.allCases.map(\\.rawValue))], "canEdit": boolean,
        ], optional:''', '''            "actions": ["type": "array", "items": enumeration(RectificationAction.allCases.map(\\.rawValue))], "canEdit": boolean,
            "responsibleUnitIDs": ["type": "array", "items": uuid],
        ], optional:''')
sub("Sources/App/OpenAPI/OpenAPISchemas.swift", '''"responsibleUnit": text(100), "responsiblePerson": text(50), "ownerUserID": uuid,''',
    '''"responsibleUnit": text(100), "responsiblePerson": text(50), "ownerUserID": uuid,
            "responsibleUnitIDs": ["type": "array", "items": uuid, "maxItems": 20],''')
sub("Sources/App/OpenAPI/OpenAPIDescriptions.swift", '''        "responsibleUnit": "责任单位。",''', '''        "responsibleUnit": "责任单位。",
        "responsibleUnitIDs": "从组织树选取的责任单位（最多 20 个，须在本人管理范围内）；选取后责任单位即为其名称，看板按这些单位统计。空表示只有手填的责任单位（早先的事项），看板按所属组织统计。",''')
sub("Resources/Views/item.leaf", '''    <label for="f-unit-name">责任单位</label><input id="f-unit-name" maxlength="100" required>
''', '''    <label for="f-units">责任单位</label>
    <div><select id="f-units" multiple size="6" aria-describedby="f-units-help"></select>
      <p class="muted small" id="f-units-help">从组织树选取（可多选：电脑上按住 Ctrl 点选，手机上逐个勾选）；看板按所选单位统计。未选取时按下面手填的名称记录。</p>
      <input id="f-unit-name" maxlength="100" required aria-label="责任单位名称"></div>
''')
sub("Public/js/item.js", '''  function fillForm(d) {''', '''  // 责任单位 from the org tree (issue 23's walk): picked units name the 责任单位 and the dashboard counts under them;
  // an item without picks (from before) keeps its free text.
  var unitsLoaded = null;
  function loadUnits() {
    if (!unitsLoaded) {
      unitsLoaded = P.api("GET", "/api/v1/org-units").then(function (list) {
        var select = $("f-units");
        select.textContent = "";
        P.unitChoices(list).forEach(function (c) { select.appendChild(el("option", { value: c.value }, c.label)); });
      });
    }
    return unitsLoaded;
  }
  function pickedUnits() {
    return Array.prototype.filter.call($("f-units").options, function (o) { return o.selected; });
  }
  function showPicked() {
    var picked = pickedUnits();
    if (picked.length) $("f-unit-name").value = picked.map(function (o) { return o.textContent.replace(/^\\u3000+/, ""); }).join("、");
    $("f-unit-name").readOnly = picked.length > 0;
  }
  function pickUnits(ids) {
    Array.prototype.forEach.call($("f-units").options, function (o) { o.selected = ids.indexOf(o.value) >= 0; });
    showPicked();
  }

  function fillForm(d) {''')
sub("Public/js/item.js", '''    $("f-publish").checked = d.publishWhenClosed !== false;
  }''', '''    $("f-publish").checked = d.publishWhenClosed !== false;
    loadUnits().then(function () { pickUnits(d.responsibleUnitIDs || []); });
  }''')
sub("Public/js/item.js", '''      deadline: $("f-deadline").value, feedback: $("f-feedback").value, publishWhenClosed: $("f-publish").checked };''',
    '''      deadline: $("f-deadline").value, feedback: $("f-feedback").value, publishWhenClosed: $("f-publish").checked,
      responsibleUnitIDs: pickedUnits().map(function (o) { return o.value; }) };''')
sub("Public/js/item.js", '''  $("item-form").addEventListener("submit", function (event) {''', '''  $("f-units").addEventListener("change", showPicked);

  $("item-form").addEventListener("submit", function (event) {''')
sub("Tests/PingyiCoreTests/LedgerRulesTests.swift", '''    @Test func theEventNoteNamesTheDeadline() {''', '''    /// Issue 23's walk: 责任单位 picked from the org tree — each once, at most 20; their names as the text, shortened to
    /// fit; the dashboard counts an item under each picked unit, or where it was filed when nothing was picked.
    @Test func pickedResponsibleUnitsNameTheItemAndAreWhereTheDashboardCountsIt() throws {
        #expect(try LedgerRules.pickedUnits(["a", "b", "a"]) == ["a", "b"])
        #expect(throws: LedgerRuleError.tooManyUnits) { try LedgerRules.pickedUnits(Array(0...20)) }
        #expect(try LedgerRules.pickedUnits(Array(0..<20) + [0]).count == 20)
        #expect(LedgerRules.responsibleUnitText(["**镇党委", "**乡党委"]) == "**镇党委、**乡党委")
        let many = (1...20).map { "第\\($0)村党支部委员会" }
        let short = LedgerRules.responsibleUnitText(many)
        #expect(short.count <= 100 && short.hasPrefix("第1村党支部委员会、") && short.hasSuffix("等 20 个单位"))
        #expect(LedgerRules.countedUnits(picked: [String](), filedUnder: "区委") == ["区委"])
        #expect(LedgerRules.countedUnits(picked: ["镇", "乡"], filedUnder: "区委") == ["镇", "乡"])
    }

    @Test func theEventNoteNamesTheDeadline() {''')
sub("Tests/AppTests/RectificationLedgerTests.swift", '''    @Test(arguments: TestDatabase.available)
    func aCommentBecomesAnItemThatIsWorkedClosedAndReopened(''', '''    /// Issue 23's walk: the clerk picks 责任单位 from the org tree; the item is named after them and the dashboard (and the
    /// unit filter) counts it under each, while an item with free text only stays where it was filed.
    @Test(arguments: TestDatabase.available)
    func pickedResponsibleUnitsAreWhereTheDashboardCountsTheItem(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // setup: an item from a comment (free text 责任单位), and the two towns
            let l = try await commented(app)
            let old = try await draftAndCreate(app, l)
            let admin = l.token("districtAdmin")
            let town = l.world.town.id!, otherTown = l.world.otherTown.id!
            // call
            var body = RectificationItemRequest(orgUnitID: l.world.district.id, source: "inspection", problem: "两镇联建项目推进慢",
                                                plan: "明确分工，按月调度", linkedLeader: "张某", responsibleUnit: "", responsiblePerson: "李某",
                                                deadline: CalendarDay.day(Date().addingTimeInterval(40 * 86_400)))
            body.responsibleUnitIDs = [town, otherTown, town]
            let reply = try await call(app, .POST, "api/v1/rectification", token: admin, json: body)
            #expect(reply.status == .created, "\\(reply.text)")
            let created = try reply.decode(RectificationDetailDTO.self).item
            // check: named after the picks, each once; the dashboard counts it under both towns
            #expect(created.responsibleUnitIDs == [town, otherTown] && created.responsibleUnit == "**镇党委、**乡党委")
            #expect(old.item.responsibleUnitIDs.isEmpty)
            let dashboard = try await call(app, .GET, "api/v1/rectification/dashboard", token: admin).decode([LedgerDashboardRowDTO].self)
            let byUnit = Dictionary(uniqueKeysWithValues: dashboard.map { ($0.orgUnitID, $0.open) })
            #expect(byUnit[otherTown] == 1 && byUnit[old.item.orgUnitID] != nil && dashboard.map(\\.open).reduce(0, +) == 3)
            #expect(byUnit[l.world.district.id!] == (old.item.orgUnitID == l.world.district.id! ? 1 : nil), "\\(dashboard)")
            let filtered = try await call(app, .GET, "api/v1/rectification?unit=\\(otherTown)", token: admin).decode([RectificationItemDTO].self)
            #expect(filtered.map(\\.id) == [created.id])
            // out of scope, too many, and clearing the picks keeps the typed name
            body.responsibleUnitIDs = [otherTown]
            try expectError(try await call(app, .POST, "api/v1/rectification", token: l.token("townAdmin"), json: body), .notFound)
            body.responsibleUnitIDs = (0...20).map { _ in UUID() }
            try expectError(try await call(app, .POST, "api/v1/rectification", token: admin, json: body), .unprocessableEntity)
            let cleared = try await call(app, .PATCH, "api/v1/rectification/\\(created.id)", token: admin,
                                         json: RectificationItemRequest(responsibleUnit: "两镇联建办", responsibleUnitIDs: []))
            #expect(cleared.status == .ok, "\\(cleared.text)")
            let item = try cleared.decode(RectificationDetailDTO.self).item
            #expect(item.responsibleUnitIDs.isEmpty && item.responsibleUnit == "两镇联建办")
        }
    }

    @Test(arguments: TestDatabase.available)
    func aCommentBecomesAnItemThatIsWorkedClosedAndReopened(''')
sub("Tests/AppTests/RectificationLedgerTests.swift", '''            body.responsibleUnitIDs = [otherTown]
            try expectError''', '''            body.responsibleUnitIDs = [otherTown]
            body.orgUnitID = town
            try expectError''')
sub("e2e/test_ledger_browser.py", '''        admin.fill("#f-leader", "区委副书记 张某")
        admin.screenshot("ledger-new-item-desktop")''', '''        admin.fill("#f-leader", "区委副书记 张某")
        # 责任单位 picked from the org tree (issue 23's walk): the name follows the pick, the dashboard counts under it.
        from selenium.webdriver.support.ui import Select
        admin.wait.until(lambda d: len(admin.all("#f-units option")) > 1, "the org tree in the picker")
        picker = Select(admin.el("#f-units"))
        picked = picker.options[1].text.strip("\\u3000 ")
        picker.select_by_index(1)
        admin.wait.until(lambda d: admin.el("#f-unit-name").get_attribute("value") == picked, "the picked unit names the item")
        admin.screenshot("ledger-new-item-desktop")''')
sub("e2e/test_ledger_browser.py", '''        admin.text_appears("#dashboard tbody", "1")
        admin.screenshot("ledger-desktop")''', '''        admin.text_appears("#dashboard tbody", "1")
        rows = [r.text for r in admin.all("#dashboard tbody tr")]
        assert len(rows) == 1 and rows[0].startswith(picked), rows
        admin.screenshot("ledger-desktop")''')
