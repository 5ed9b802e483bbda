@testable import App
import Foundation
import Testing

/// The XML reader behind XLSX imports (it replaced Foundation's XMLParser, i.e. libxml2, so the release archive needs
/// no shared library beyond the C runtime): what a workbook part holds, and refusals for what is not well-formed.
@Suite("XML reader for workbook parts")
struct XMLEventsTests {
    final class Recorder: XMLEventHandler {
        var events: [String] = []
        func start(_ name: String, attributes: [String: String]) {
            events.append("<\(name)" + attributes.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined() + ">")
        }
        func text(_ string: String) { events.append(string) }
        func end(_ name: String) { events.append("</\(name)>") }
    }

    func read(_ xml: String) -> [String]? {
        let recorder = Recorder()
        return XMLEvents.parse(Data(xml.utf8), into: recorder) ? recorder.events : nil
    }

    @Test func readsWhatAWorkbookPartHolds() {
        let xml = "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<!-- c --><sst xmlns:r='x'>"
            + "<si><r><t xml:space=\"preserve\">王 &amp; 李&lt;&#20013;&#x6587;&gt;</t></r><t><![CDATA[a<b]]></t></si>"
            + "<c r=\"A1\" t=\"s\"/><r:x r:id=\"rId1\">1\r\n2</r:x></sst>"
        #expect(read(xml) == ["<sst xmlns:r=x>", "<si>", "<r>", "<t xml:space=preserve>", "王 & 李<中文>", "</t>", "</r>",
                              "<t>", "a<b", "</t>", "</si>", "<c r=A1 t=s>", "</c>", "<r:x r:id=rId1>", "1\n2", "</r:x>", "</sst>"])
    }

    @Test(arguments: ["<a><b></a></b>", "<a>", "<a></a><b></b>", "<a>&nbsp;</a>", "<a x=1></a>", "<a x='1' x='2'></a>",
                      "<!DOCTYPE a><a></a>", "text<a></a>", "<a><![CDATA[x</a>", "", "<a>&#0;</a>", "<a/", "</a>"])
    func refusesWhatIsNotWellFormed(xml: String) {
        #expect(read(xml) == nil, "\(xml)")
    }
}
