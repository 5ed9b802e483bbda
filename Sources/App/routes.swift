import Vapor

func routes(_ app: Application) throws {
    try app.register(collection: HealthController())
    try app.register(collection: OpenAPIController())
    try app.register(collection: SessionController())
    try app.register(collection: UserController())
    try app.register(collection: OrgUnitController())
    try app.register(collection: CampaignController())
    try app.register(collection: MeetingController())
    try app.register(collection: BallotController())
    try app.register(collection: VoteController())
    try app.register(collection: ResultsController())
    try app.register(collection: RectificationController())
    try app.register(collection: DocumentController())
    try app.register(collection: MaterialsController())
    try app.register(collection: PageController())
}
