@testable import App
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Connection governor")
struct ConnectionGovernorTests {
    /// The sweep's list of open descriptors (read from /proc/self/fd, issue 25) has both ends of a pipe just opened,
    /// each once. (That a closed one is absent is not checked: tests running alongside reuse numbers at once.)
    @Test func theOpenDescriptorsAreTheOnesOpen() throws {
        #if canImport(Glibc)
        var ends: [Int32] = [-1, -1]
        try #require(pipe(&ends) == 0)
        defer { ends.forEach { close($0) } }
        let listed = ConnectionGovernor.openDescriptors(limit: 20_000)
        #expect(listed.contains(ends[0]) && listed.contains(ends[1]))
        #expect(Set(listed).count == listed.count, "each once")
        #endif
    }
}
