using PolicyCompiler.Kits;
using PolicyCompiler.Patterns;

namespace PolicyCompiler.Tests.Kits;

/// <summary><c>network.inspect</c> and <c>network.dlp</c> (DESIGN.md "Exfiltration controls"): parsed, defaulted, every mistake named with its line.</summary>
public class KitInspectParserTests
{
    private const string Header = "schemaVersion: \"1\"\nkind: mixin\nname: inline\n";

    [Fact]
    public void InspectAndDlp_AreParsed()
    {
        KitSpec kit = Parse("network:\n  inspect: [paste.example.com, \"*.chat.example.com\", \"Paste.Example.COM\"]\n  dlp: report\n");

        Assert.Equal(["paste.example.com", "*.chat.example.com"], kit.Network.Inspect.Select(p => p.Text));
        Assert.Equal(PatternKind.Wildcard, kit.Network.Inspect[1].Kind);
        Assert.Equal(KitDlpMode.Report, kit.Network.Dlp);
    }

    [Fact]
    public void WithoutThem_NothingIsInspected_AndDlpBlocks()
    {
        KitSpec kit = Parse("network:\n  allowedDomains: [example.com]\n");

        Assert.Empty(kit.Network.Inspect);
        Assert.Equal(KitDlpMode.Block, kit.Network.Dlp);
        Assert.Equal(KitDlpMode.Block, Parse("network:\n  dlp: block\n").Network.Dlp);
    }

    [Theory]
    [InlineData("network:\n  inspect: [\"*.*.example.com\"]\n", "t.yaml:5: network.inspect[0]: ")]
    [InlineData("network:\n  inspect: [\"**\"]\n", "t.yaml:5: network.inspect[0]: \"**\" would intercept every host")]
    [InlineData("network:\n  inspect: paste.example.com\n", "t.yaml:5: network.inspect: expected a list")]
    [InlineData("network:\n  dlp: warn\n", "t.yaml:5: network.dlp: \"warn\" is not a DLP mode; use block (refuse the request) or report (let it through and audit it)")]
    [InlineData("network:\n  dlp: [block]\n", "t.yaml:5: network.dlp: ")]
    [InlineData("network:\n  inspekt: [paste.example.com]\n", "t.yaml:5: network.inspekt: unknown key")]
    public void Mistakes_AreRefused_NamingFileLineAndKey(string body, string expected)
    {
        var errors = new List<KitError>();

        Assert.False(KitParser.TryParse(Header + body, "t.yaml", out _, errors));

        Assert.Contains(errors, e => e.ToString().StartsWith(expected, StringComparison.Ordinal));
    }

    private static KitSpec Parse(string body)
    {
        var errors = new List<KitError>();
        Assert.True(KitParser.TryParse(Header + body, "t.yaml", out KitSpec? kit, errors), string.Join("\n", errors));
        return kit;
    }
}
