using PolicyCompiler.Kits;

namespace PolicyCompiler.Tests.Kits;

/// <summary>The presentations of DESIGN.md "Credentials" (header, bearer, basic, query, aws-sigv4) and the errors of each key.</summary>
public class KitServiceAuthSchemeTests
{
    private const string Sources = """
        credentials:
          sources:
            tok: { env: [TOKEN] }
            keys: { aws: { accessKeyId: { env: [AWS_ACCESS_KEY_ID] }, secretAccessKey: { env: [AWS_SECRET_ACCESS_KEY] } } }
        network:
          allowedDomains: [api.example.test, bedrock.us-east-1.example.test]
          serviceDomains:
            api.example.test: tok
            bedrock.us-east-1.example.test: keys
          serviceAuth:

        """;

    [Theory]
    [InlineData("tok: { scheme: bearer }", KitAuthScheme.Bearer, "Authorization", null, null)]
    [InlineData("tok: { scheme: basic, username: x-access-token }", KitAuthScheme.Basic, "Authorization", "x-access-token", null)]
    [InlineData("tok: { scheme: query, parameter: key }", KitAuthScheme.Query, "", null, "key")]
    [InlineData("tok: { headerName: x-api-key, valueFormat: \"%s\" }", KitAuthScheme.Header, "x-api-key", null, null)]
    public void Scheme_ParsesWithItsKeys(string entry, KitAuthScheme scheme, string header, string? username, string? parameter)
    {
        KitServiceAuth auth = Parse(entry).Network.ServiceAuth["tok"];

        Assert.Equal((scheme, header, username, parameter), (auth.Scheme, auth.HeaderName, auth.Username, auth.Parameter));
    }

    [Fact]
    public void AwsSigV4_KeepsRegionAndService_AndTheKeyPairSource()
    {
        KitSpec kit = Parse("tok: { scheme: bearer }\n    keys: { scheme: aws-sigv4, region: us-east-1, service: bedrock }");

        KitServiceAuth auth = kit.Network.ServiceAuth["keys"];
        Assert.Equal((KitAuthScheme.AwsSigV4, "us-east-1", "bedrock"), (auth.Scheme, auth.Region, auth.Service));
        Assert.NotNull(kit.Credentials.Sources["keys"].Aws);
    }

    [Fact]
    public void AwsSigV4_RegionAndServiceAreOptional()
    {
        KitServiceAuth auth = Parse("keys: { scheme: aws-sigv4 }").Network.ServiceAuth["keys"];

        Assert.Equal((KitAuthScheme.AwsSigV4, null, null), (auth.Scheme, auth.Region, auth.Service));
    }

    [Theory]
    [InlineData("tok: { scheme: digest }", "network.serviceAuth.tok.scheme", "\"digest\" is not a scheme; use bearer, basic, query or aws-sigv4, or omit it and write headerName and valueFormat")]
    [InlineData("tok: { scheme: basic }", "network.serviceAuth.tok", "missing required key \"username\"; git over HTTPS takes \"x-access-token\"")]
    [InlineData("tok: { scheme: basic, username: \"a:b\" }", "network.serviceAuth.tok.username", "a Basic user name cannot contain \":\" or control characters")]
    [InlineData("tok: { scheme: query }", "network.serviceAuth.tok", "missing required key \"parameter\"; e.g. \"key\"")]
    [InlineData("tok: { scheme: query, parameter: \"a&b\" }", "network.serviceAuth.tok.parameter", "\"a&b\" is not a plain query parameter name; use letters, digits, \"-\", \"_\" and \".\", e.g. \"key\"")]
    [InlineData("tok: { scheme: bearer, valueFormat: \"Token %s\" }", "network.serviceAuth.tok.valueFormat", "\"valueFormat\" goes with no scheme (headerName + valueFormat), not \"scheme: bearer\"; remove it")]
    [InlineData("tok: { scheme: bearer, username: x }", "network.serviceAuth.tok.username", "\"username\" goes with \"scheme: basic\", not \"scheme: bearer\"; remove it")]
    [InlineData("tok: { headerName: X-Key, valueFormat: \"%s\", parameter: key }", "network.serviceAuth.tok.parameter", "\"parameter\" goes with \"scheme: query\", not a header entry; remove it")]
    [InlineData("tok: { scheme: aws-sigv4 }", "network.serviceAuth.tok", "\"scheme: aws-sigv4\" signs with an AWS key pair; declare source \"tok\" with \"aws: {accessKeyId: ..., secretAccessKey: ...}\"")]
    [InlineData("keys: { scheme: bearer }", "network.serviceAuth.keys", "source \"keys\" is an AWS key pair; present it with \"scheme: aws-sigv4\"")]
    [InlineData("keys: { scheme: aws-sigv4, region: US_EAST }", "network.serviceAuth.keys.region", "\"US_EAST\" is not an AWS region name; use lowercase letters, digits and \"-\", e.g. \"us-east-1\"")]
    [InlineData("tok: { scheme: bearer, regoin: x }", "network.serviceAuth.tok.regoin", "unknown key; did you mean \"region\"?")]
    public void BrokenEntry_IsReportedWithLineAndKey(string entry, string path, string message)
    {
        var errors = new List<KitError>();
        Assert.False(KitParser.TryParse(Kit(entry), "t.yaml", out _, errors));

        Assert.Contains((14, path, message), errors.ConvertAll(e => (e.Line, e.KeyPath, e.Message)));
    }

    private static string Kit(string entries) => "schemaVersion: \"1\"\nkind: mixin\nname: inline\n" + Sources + "    " + entries + "\n";

    private static KitSpec Parse(string entries)
    {
        var errors = new List<KitError>();
        Assert.True(KitParser.TryParse(Kit(entries), "t.yaml", out KitSpec? kit, errors), string.Join("\n", errors));
        return kit;
    }
}
