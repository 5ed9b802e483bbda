import PingyiCore
import Testing

/// Issue 22, finding 7: the address on slips and the projector must be one the phones can reach.
@Suite("投票地址")
struct PublicAddressTests {
    @Test func loopbackIsRecognizedInEverySpelling() {
        for host in ["127.0.0.1", "127.0.0.1:8080", "http://127.0.0.1:8080/v", "localhost:8080", "[::1]:8080", "0.0.0.0:8080"] {
            #expect(PublicAddress.isLoopback(host: host), "\(host)")
        }
        for host in ["192.168.1.20", "http://192.168.1.20:8080", "pingyi.example.org", "[fe80::1]:8080", "10.0.0.5:80"] {
            #expect(!PublicAddress.isLoopback(host: host), "\(host)")
        }
    }

    @Test func onEveryInterfaceALanIPv4IsChosen() {
        let addresses = ["127.0.0.1", "172.17.0.1", "fe80::1", "10.1.2.3", "192.168.31.8", "169.254.3.3"]
        #expect(PublicAddress.reachableHost(bound: "0.0.0.0", addresses: addresses) == "192.168.31.8")
        #expect(PublicAddress.reachableHost(bound: "0.0.0.0", addresses: ["127.0.0.1", "172.17.0.1", "10.1.2.3"]) == "10.1.2.3")
        #expect(PublicAddress.reachableHost(bound: "0.0.0.0", addresses: ["127.0.0.1"]) == nil)
        #expect(PublicAddress.reachableHost(bound: "127.0.0.1", addresses: addresses) == nil)
        #expect(PublicAddress.reachableHost(bound: "192.168.5.5", addresses: addresses) == "192.168.5.5")
    }

    @Test func configuredThenDetectedThenTheBrowsersAddress() {
        #expect(PublicAddress.baseURL(configured: "https://py.example.org/", detected: "http://192.168.1.2:8080", scheme: "http",
                                      requestHost: "127.0.0.1:8080") == "https://py.example.org")
        #expect(PublicAddress.baseURL(configured: nil, detected: "http://192.168.1.2:8080", scheme: "http",
                                      requestHost: "127.0.0.1:8080") == "http://192.168.1.2:8080")
        // Behind a proxy the server listens on loopback: the browser's (public) host is used.
        #expect(PublicAddress.baseURL(configured: nil, detected: "http://127.0.0.1:8080", scheme: "https",
                                      requestHost: "py.example.org") == "https://py.example.org")
        #expect(PublicAddress.warning(for: "http://127.0.0.1:8080/v")?.contains("PINGYI_PUBLIC_URL") == true)
        #expect(PublicAddress.warning(for: "http://192.168.1.2:8080/v") == nil)
    }
}
