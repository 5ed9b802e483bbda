import Vapor

func routes(_ app: Application) throws {
    try app.register(collection: HealthController())
    try app.register(collection: OpenAPIController())
    try app.register(collection: SessionController())
    try app.register(collection: CampaignController())
    try app.register(collection: HomeController())
}
