namespace Gateway.Tests.Interception;

/// <summary>Issue 7 item 4: a credential source with no value on the host is a 502 with a clear body, and nothing reaches the upstream.</summary>
public sealed class InterceptMissingCredentialTests : IAsyncLifetime
{
    private InterceptedGateway _env = null!;

    public async Task InitializeAsync() => _env = await InterceptedGateway.StartAsync(secret: null);

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task MissingSource_Gets502_NamingWhereItLooked_AndNoRequestIsSent()
    {
        var (exit, stdout, stderr) = await _env.CurlAsync("api.example.test", "/v1/unsent", "-i", "--http1.1");

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("HTTP/1.1 502", stdout, StringComparison.Ordinal);
        Assert.Contains("credential \"svc\"", stdout, StringComparison.Ordinal);
        Assert.Contains(_env.SecretVariable, stdout, StringComparison.Ordinal);
        Assert.Contains("was not sent", stdout, StringComparison.Ordinal);
        Assert.Empty(_env.Upstream.For("/v1/unsent"));
    }
}
