using PolicyCompiler.Kits;

namespace PolicyCompiler.Tests.Kits;

/// <summary>The source kinds of DESIGN.md "Credentials", in exactly the shapes it gives, and their errors with line and key.</summary>
public class KitCredentialSourceParserTests
{
    private const string Header = "schemaVersion: \"1\"\nkind: mixin\nname: inline\n";

    [Fact]
    public void DesignShapes_ParseIntoTheirKinds()
    {
        KitSpec kit = Parse("""
            credentials:
              sources:
                code-host: { env: [GITHUB_TOKEN] }
                vault-cli: { command: [/usr/bin/vault, kv, get, -field=token, secret/x], ttl: 5m, timeout: 10s }
                bedrock:
                  aws:
                    accessKeyId: { env: [AWS_ACCESS_KEY_ID] }
                    secretAccessKey: { env: [AWS_SECRET_ACCESS_KEY] }
                    sessionToken: { env: [AWS_SESSION_TOKEN] }
                internal:
                  oauth2:
                    tokenUrl: https://auth.example.com/oauth/token
                    grant: client_credentials
                    clientId: { env: [CLIENT_ID] }
                    clientSecret: { env: [CLIENT_SECRET] }
                    scopes: [read]
                vertex: { googleServiceAccount: { file: { path: /etc/egress-gateway/vertex.json } } }
                gh-app: { githubApp: { appId: 1234, installationId: 5678, privateKey: { file: { path: /etc/egress-gateway/app.pem } } } }
            """);

        var sources = kit.Credentials.Sources;
        Assert.Equal(KitSourceKind.Env, sources["code-host"].Kind);

        KitCommand command = sources["vault-cli"].Command!;
        Assert.Equal(KitSourceKind.Command, sources["vault-cli"].Kind);
        Assert.Equal<string>(["/usr/bin/vault", "kv", "get", "-field=token", "secret/x"], command.Argv);
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10)), (command.Ttl, command.Timeout));

        KitAwsKeys aws = sources["bedrock"].Aws!;
        Assert.Equal(KitSourceKind.Aws, sources["bedrock"].Kind);
        Assert.Equal<string>(["AWS_ACCESS_KEY_ID"], aws.AccessKeyId.Env);
        Assert.Equal<string>(["AWS_SESSION_TOKEN"], aws.SessionToken!.Env);
        Assert.Equal<string>(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"], sources["bedrock"].Variables());

        KitOAuth2 oauth2 = sources["internal"].OAuth2!;
        Assert.Equal(("https://auth.example.com/oauth/token", KitOAuth2Grant.ClientCredentials), (oauth2.TokenUrl.AbsoluteUri, oauth2.Grant));
        Assert.Equal<string>(["read"], oauth2.Scopes);
        Assert.Null(oauth2.RefreshToken);

        KitGoogleServiceAccount google = sources["vertex"].GoogleServiceAccount!;
        Assert.Equal("/etc/egress-gateway/vertex.json", google.Json.File!.Path);
        Assert.Equal<string>([KitGoogleServiceAccount.DefaultScope], google.Scopes);

        KitGithubApp app = sources["gh-app"].GithubApp!;
        Assert.Equal((1234L, 5678L, "https://api.github.com/"), (app.AppId, app.InstallationId, app.ApiUrl.AbsoluteUri));
        Assert.Equal("/etc/egress-gateway/app.pem", app.PrivateKey.File!.Path);
    }

    [Fact]
    public void BodyTrue_OptsASourceIntoBodySubstitution_AndIsOffByDefault()
    {
        KitSpec kit = Parse("credentials:\n  sources:\n    x: { env: [A], body: true }\n    y: { env: [B] }\n");

        Assert.True(kit.Credentials.Sources["x"].Body);
        Assert.False(kit.Credentials.Sources["y"].Body);
    }

    [Fact]
    public void CommandWithoutTtlOrTimeout_GetsTheDefaults()
    {
        KitCommand command = Parse("credentials:\n  sources:\n    x: { command: [/usr/bin/op, read, \"op://v/i/f\"] }\n").Credentials.Sources["x"].Command!;

        Assert.Equal((KitCommand.DefaultTtl, KitCommand.DefaultTimeout), (command.Ttl, command.Timeout));
    }

    [Fact]
    public void NestedCommand_IsAValueOfItsOwn()
    {
        KitSpec kit = Parse("""
            credentials:
              sources:
                internal:
                  oauth2:
                    tokenUrl: https://auth.example.com/token
                    grant: refresh_token
                    clientId: { env: [CLIENT_ID] }
                    refreshToken: { command: [/usr/bin/vault, kv, get, -field=rt, secret/x], ttl: 1h }
            """);

        KitOAuth2 oauth2 = kit.Credentials.Sources["internal"].OAuth2!;
        Assert.Equal(KitOAuth2Grant.RefreshToken, oauth2.Grant);
        Assert.Null(oauth2.ClientSecret);
        Assert.Equal(TimeSpan.FromHours(1), oauth2.RefreshToken!.Command!.Ttl);
    }

    [Theory]
    [InlineData("x: { env: [A], body: maybe }", 6, "credentials.sources.x.body", "\"maybe\" is not a boolean; write true or false")]
    [InlineData("x: { oauth2: { tokenUrl: \"https://a.example.com/t\", grant: client_credentials, clientId: { env: [B] }, clientSecret: { env: [C] } }, body: true }", 6, "credentials.sources.x.body", "\"body\" substitutes placeholders of env, file or command sources; a \"oauth2\" source has none a body could carry, so remove it")]
    [InlineData("x: { command: [vault, kv, get] }", 6, "credentials.sources.x.command", "\"vault\" is not an absolute path; the command runs without a shell or PATH lookup, so write e.g. \"/usr/bin/vault\"")]
    [InlineData("x: { command: [] }", 6, "credentials.sources.x.command", "the command is empty; write the program and its arguments as a list, e.g. [/usr/bin/op, read, \"op://vault/item/field\"]")]
    [InlineData("x: { command: [/bin/true], ttl: soon }", 6, "credentials.sources.x.ttl", "\"soon\" is not a positive duration; use e.g. 10s, 500ms, 5m")]
    [InlineData("x: { env: [A], ttl: 5m }", 6, "credentials.sources.x.ttl", "\"ttl\" applies only to a \"command\" source; remove it (env and file are read on every request)")]
    [InlineData("x: { command: [/bin/true], env: [A] }", 6, "credentials.sources.x", "\"env\" does not go with \"command\"; the command's output is the value, so remove \"env\" or make it a source of its own")]
    [InlineData("x: { env: [A], oauth2: { tokenUrl: \"https://a.example.com/t\", grant: client_credentials, clientId: { env: [B] }, clientSecret: { env: [C] } } }", 6, "credentials.sources.x", "\"env\" does not go with \"oauth2\"; a source is one kind (nest env, file or command inside \"oauth2\" where it reads a value)")]
    [InlineData("x: { oauth2: { tokenUrl: \"http://a.example.com/t\", grant: client_credentials, clientId: { env: [B] }, clientSecret: { env: [C] } } }", 6, "credentials.sources.x.oauth2.tokenUrl", "\"http://a.example.com/t\" is not an absolute https URL without user info or fragment; e.g. \"https://auth.example.com/oauth/token\"")]
    [InlineData("x: { oauth2: { tokenUrl: \"https://a.example.com/t\", grant: password, clientId: { env: [B] } } }", 6, "credentials.sources.x.oauth2.grant", "\"password\" is not a supported grant; use \"client_credentials\" or \"refresh_token\"")]
    [InlineData("x: { oauth2: { tokenUrl: \"https://a.example.com/t\", grant: refresh_token, clientId: { env: [B] } } }", 6, "credentials.sources.x.oauth2", "missing required key \"refreshToken\"; e.g. \"refreshToken: {env: [VARIABLE]}\"")]
    [InlineData("x: { oauth2: { tokenUrl: \"https://a.example.com/t\", grant: client_credentials, clientId: { env: [B] } } }", 6, "credentials.sources.x.oauth2", "missing required key \"clientSecret\"; e.g. \"clientSecret: {env: [VARIABLE]}\"")]
    [InlineData("x: { aws: { accessKeyId: { env: [A] } } }", 6, "credentials.sources.x.aws", "missing required key \"secretAccessKey\"; e.g. \"secretAccessKey: {env: [VARIABLE]}\"")]
    [InlineData("x: { aws: { accessKeyId: { env: [A] }, secretAccesKey: { env: [B] } } }", 6, "credentials.sources.x.aws.secretAccesKey", "unknown key; did you mean \"secretAccessKey\"?")]
    [InlineData("x: { githubApp: { appId: one, installationId: 2, privateKey: { file: { path: /k.pem } } } }", 6, "credentials.sources.x.githubApp.appId", "\"one\" is not a positive number; write the id as digits, e.g. 1234")]
    [InlineData("x: { githubApp: { appId: 1, installationId: 2 } }", 6, "credentials.sources.x.githubApp", "missing required key \"privateKey\"; e.g. \"privateKey: {env: [VARIABLE]}\"")]
    [InlineData("x: { googleServiceAccount: { scopes: [a] } }", 6, "credentials.sources.x.googleServiceAccount", "declares no place to read the credential from; add \"env: [VARIABLE]\", \"file: {path: ...}\" or \"command: [/path/to/cli, args...]\"")]
    [InlineData("x: { aws: { accessKeyId: { env: [A] }, secretAccessKey: { env: [B] } }, githubApp: { appId: 1 } }", 6, "credentials.sources.x", "a source is one kind; \"aws\" and \"githubApp\" are both set, so split them into two sources")]
    public void BrokenSource_IsReportedWithLineAndKey(string source, int line, string path, string message)
    {
        List<KitError> errors = Errors("credentials:\n  sources:\n    " + source + "\n");

        Assert.Contains((line, path, message), errors.ConvertAll(e => (e.Line, e.KeyPath, e.Message)));
    }

    internal static KitSpec Parse(string body)
    {
        var errors = new List<KitError>();
        Assert.True(KitParser.TryParse(Header + body, "t.yaml", out KitSpec? kit, errors), string.Join("\n", errors));
        return kit;
    }

    internal static List<KitError> Errors(string body)
    {
        var errors = new List<KitError>();
        Assert.False(KitParser.TryParse(Header + body, "t.yaml", out _, errors));
        return errors;
    }
}
