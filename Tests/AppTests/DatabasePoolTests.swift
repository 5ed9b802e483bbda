@testable import App
import Fluent
import Foundation
import NIOCore
import Testing
import Vapor

/// Issue 25: one instance's PostgreSQL connections. With Fluent's default of one per event loop, a seal's transaction
/// (seconds, waiting for older transactions) held every request of its event loop, other meetings' ballots included.
@Suite("PostgreSQL connections of one instance")
struct DatabasePoolTests: BallotBoxHelpers {
    @Test func theTotalComesFromTheEnvironmentWithinItsBounds() {
        #expect(PostgresPool.connections(nil) == PostgresPool.defaultConnections)
        #expect(PostgresPool.connections("40") == 40)
        #expect(PostgresPool.connections(" 8 ") == 8)
        for bad in ["", "0", "1", "-3", "many", "501", "99999999999999999999"] {
            #expect(PostgresPool.connections(bad) == PostgresPool.defaultConnections, "\(bad)")
        }
        #expect(PostgresPool.perEventLoop(total: 16, eventLoops: 2) == 8)
        #expect(PostgresPool.perEventLoop(total: 16, eventLoops: 3) == 6)
        #expect(PostgresPool.perEventLoop(total: 16, eventLoops: 16) == 2, "at least two per loop")
        #expect(PostgresPool.perEventLoop(total: 2, eventLoops: 0) == 2)
    }

    /// Every event loop's pool has one connection held in an open transaction, as a seal waiting for older
    /// transactions holds one: a voter is still acknowledged and the chair's console still reads, at the route. With one
    /// connection per loop both waited for a connection until the pool's timeout and failed.
    @Test func aHeldTransactionOnEveryLoopLeavesRoomForBallotsAndScreens() async throws {
        guard TestDatabase.available.contains(.postgres) else { return }
        try await withApp(.postgres) { app in
            let box = try await openBox(app, present: 3)
            let release = Gate()
            let held = Counter()
            let loops = Array(app.eventLoopGroup.makeIterator())
            let holders = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for loop in loops {
                        group.addTask {
                            let db = app.databases.database(.psql, logger: app.logger, on: loop)!
                            try await db.transaction { db in
                                _ = try await Campaign.query(on: db).count()
                                await held.add()
                                await release.passed()
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            // A guard against a hang, not a measure: beginning transactions on a loaded machine can be slow.
            let deadline = ContinuousClock.now + .seconds(120)
            while await held.value < loops.count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            let allHeld = await held.value == loops.count
            if !allHeld { await release.open() }
            try #require(allHeld, "every loop's transaction began")

            // No timer: on a loaded machine the answers may be slow. With one connection per loop they do not come at
            // all: the pool gives up after its 30 s timeout and the request fails.
            var answered: [HTTPStatus] = []
            do {
                let check = try await spec(app, box, code: box.codes[0])
                answered.append(try await vote(app, code: box.codes[0], marks: fullMarks(check)).status)
                answered.append(try await call(app, .GET, "api/v1/campaigns/\(box.world.campaignID)/meeting",
                                               token: box.world.token(.chair)).status)
            } catch {
                await release.open()
                _ = try? await holders.value
                throw error
            }
            await release.open()
            try await holders.value
            #expect(answered == [.ok, .ok], "answered while every loop had a connection held: \(answered)")
        }
    }
}

private actor Counter {
    private(set) var value = 0
    func add() { value += 1 }
}
