using System.Collections.Frozen;
using System.Text.Json;
using Gateway.Configuration;
using Gateway.Tests.Listeners;

namespace Gateway.Tests.Dialing;

/// <summary>
/// Issue 8, RFC 1929 against a real Dante checking a real system account: the credential is read
/// from its source at dial time and appears nowhere the gateway writes (responses, audit log).
/// </summary>
public sealed class Socks5AuthEndToEndTests
{
    private const string Source = "corp-proxy";

    [DanteFact(needsRoot: true)]
    public async Task UsernamePassword_FromAFile_Connects_AndThePasswordIsNowhere()
    {
        await using SystemUser user = await SystemUser.CreateAsync();
        await using Dante dante = await Dante.StartAsync(usernameAuth: true);
        await using TestUpstream upstream = await TestUpstream.StartAsync();
        string secretFile = await WriteSecretAsync(user.Password);
        GatewayUnderTest gateway = await Socks5EndToEndTests.StartGatewayAsync(dante, credential: Source, credentials: Credentials(user.Name, secretFile));
        try
        {
            (int exit, string body, string stderr) = await Curl.RunAsync("-k", "-v", "-x", gateway.ProxyUrl, $"https://127.0.0.1:{upstream.HttpsPort}/");

            Assert.True(exit == 0, stderr + dante.Log());
            Assert.Equal("hello from 127.0.0.1", body);
            Assert.Contains($"127.0.0.1.{upstream.HttpsPort}", dante.Log(), StringComparison.Ordinal);
            List<JsonElement> audit = await Socks5EndToEndTests.AuditAsync(gateway);
            string auditText = await File.ReadAllTextAsync(Path.Combine(gateway.StateDir, "audit.jsonl"));
            Assert.Equal("socks5", Assert.Single(audit).GetProperty("upstream").GetString());
            Assert.DoesNotContain(user.Password, body + stderr + auditText, StringComparison.Ordinal);
        }
        finally
        {
            await gateway.DisposeAsync();
            File.Delete(secretFile);
        }
    }

    [DanteFact(needsRoot: true)]
    public async Task WrongPassword_Is502_AfterOneAttempt_AndThePasswordIsNowhere()
    {
        await using SystemUser user = await SystemUser.CreateAsync();
        await using Dante dante = await Dante.StartAsync(usernameAuth: true);
        string wrong = user.Password + "-wrong";
        string secretFile = await WriteSecretAsync(wrong);
        GatewayUnderTest gateway = await Socks5EndToEndTests.StartGatewayAsync(dante, credential: Source, credentials: Credentials(user.Name, secretFile));
        try
        {
            (int status, string head, string body) = await Socks5EndToEndTests.ConnectAsync(gateway, "127.0.0.1:443");

            Assert.Equal(502, status);
            Assert.Contains($"SOCKS5 proxy socks5://127.0.0.1:{dante.Port}: rejected the username/password", body, StringComparison.Ordinal);
            Assert.Equal(1, dante.AcceptedConnections()); // no retry storm: one client request, one attempt
            string auditText = string.Join('\n', (await Socks5EndToEndTests.AuditAsync(gateway)).Select(e => e.GetRawText()));
            Assert.Contains("\"status\":502", auditText, StringComparison.Ordinal);
            Assert.DoesNotContain(wrong, head + body + auditText, StringComparison.Ordinal);
        }
        finally
        {
            await gateway.DisposeAsync();
            File.Delete(secretFile);
        }
    }

    [DanteFact(needsRoot: true)]
    public async Task NoCredentialConfigured_OffersOnlyNoAuth_AndDanteSaysNoAcceptableMethod()
    {
        await using Dante dante = await Dante.StartAsync(usernameAuth: true);
        await using GatewayUnderTest gateway = await Socks5EndToEndTests.StartGatewayAsync(dante);

        (int status, _, string body) = await Socks5EndToEndTests.ConnectAsync(gateway, "127.0.0.1:443");

        Assert.Equal(502, status);
        Assert.Contains("accepts none of the offered authentication methods", body, StringComparison.Ordinal);
    }

    [DanteFact]
    public async Task UnreadableCredential_Is502_AndNeverReachesDante()
    {
        await using Dante dante = await Dante.StartAsync();
        string missing = Path.Combine(Path.GetTempPath(), "gw-socks-missing-" + Guid.NewGuid().ToString("N"));
        await using GatewayUnderTest gateway = await Socks5EndToEndTests.StartGatewayAsync(dante, credential: Source, credentials: Credentials("someone", missing));

        (int status, _, string body) = await Socks5EndToEndTests.ConnectAsync(gateway, "127.0.0.1:443");

        Assert.Equal(502, status);
        Assert.Contains("credential source has no usable value", body, StringComparison.Ordinal);
        Assert.Equal(0, dante.AcceptedConnections());
    }

    private static CredentialsConfig Credentials(string username, string passwordFile) =>
        new(new Dictionary<string, CredentialSourceConfig>
        {
            [Source] = new(Source, null, new CredentialValueConfig([], null, username), new CredentialValueConfig([], passwordFile, null)),
        }.ToFrozenDictionary(StringComparer.Ordinal));

    private static async Task<string> WriteSecretAsync(string secret)
    {
        string file = Path.Combine(Path.GetTempPath(), "gw-socks-secret-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(file, secret + "\n");
        return file;
    }
}
