using Gateway.Interception.Forwarding;
using Gateway.Tests.Interception;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Credentials;

/// <summary>
/// Issue 18 item 3, bodies: a source with <c>body: true</c> has its placeholders replaced in request
/// bodies to its bound host (curl, HTTP/1.1 and HTTP/2, with a length and chunked), checked at the
/// origin; without the opt-in the body reaches the upstream as sent.
/// </summary>
public sealed class BodyPlaceholderTests : IAsyncLifetime
{
    private const string BodySecret = "body-s3cr3t-value-91f0";
    private const string PlainSecret = "plain-s3cr3t-value-22aa";
    private readonly InterceptTestCa _ca = new();
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private BrokeredGateway _env = null!;
    private string _files = null!;

    private string BodyVariable => "GW_BODY_KEY_" + _suffix;

    private string PlainVariable => "GW_PLAIN_KEY_" + _suffix;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(BodyVariable, BodySecret);
        Environment.SetEnvironmentVariable(PlainVariable, PlainSecret);
        _files = Directory.CreateTempSubdirectory("gw-body-").FullName;
        _env = await BrokeredGateway.StartAsync(_ca, $$"""
            network:
              allowedDomains: [api.example.test, other.example.test]
              serviceDomains:
                api.example.test: body-key
                other.example.test: plain-key
            credentials:
              sources:
                body-key: { env: [{{BodyVariable}}], body: true }
                plain-key: { env: [{{PlainVariable}}] }
            environment:
              proxyManaged: [{{BodyVariable}}, {{PlainVariable}}]
            """);
    }

    public async Task DisposeAsync()
    {
        await _env.DisposeAsync();
        _ca.Dispose();
        Directory.Delete(_files, recursive: true);
        Environment.SetEnvironmentVariable(BodyVariable, null);
        Environment.SetEnvironmentVariable(PlainVariable, null);
    }

    [Theory]
    [InlineData("--http1.1", false)]
    [InlineData("--http1.1", true)]
    [InlineData("--http2", false)]
    [InlineData("--http2", true)]
    public async Task OptedInSource_HasItsPlaceholderReplacedInTheBody_AtTheBoundHost(string version, bool chunked)
    {
        string placeholder = _env.Gateway.Services.GetRequiredService<Placeholders>().For("dev", BodyVariable);

        // Large enough to span many reads: placeholders at the start, across 16 KiB boundaries and at the end.
        var body = new System.Text.StringBuilder();
        body.Append(placeholder);
        for (int i = 0; i < 40; i++)
        {
            body.Append('x', 16 * 1024 - 20).Append("{\"k\":\"").Append(placeholder).Append("\"}");
        }

        body.Append(placeholder);
        string file = Path.Combine(_files, $"body-{version}-{chunked}");
        await File.WriteAllTextAsync(file, body.ToString());
        string id = $"{version}-{chunked}";
        string[] extra = chunked
            ? ["-X", "POST", "--data-binary", "@" + file, "-H", "Transfer-Encoding: chunked", version]
            : ["-X", "POST", "--data-binary", "@" + file, version];

        (int exit, string stdout, string stderr) = await _env.CurlAsync("api.example.test", "/record-body?id=" + id, extra);

        Assert.True(exit == 0, stderr);
        string expected = body.ToString().Replace(placeholder, BodySecret, StringComparison.Ordinal);
        Assert.Equal("recorded " + expected.Length, stdout);
        string received = Assert.Single(_env.Upstream.Bodies, b => b.StartsWith("?id=" + id + " ", StringComparison.Ordinal));
        Assert.Equal("?id=" + id + " " + expected, received);
        Assert.DoesNotContain(BodySecret, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutTheOptIn_TheBodyReachesTheUpstreamAsSent()
    {
        string placeholder = _env.Gateway.Services.GetRequiredService<Placeholders>().For("dev", PlainVariable);

        (int exit, string stdout, string stderr) = await _env.CurlAsync("other.example.test", "/record-body?id=plain", "--data-binary", "token=" + placeholder);

        Assert.True(exit == 0, stderr);
        Assert.Equal("recorded " + ("token=" + placeholder).Length, stdout);
        Assert.Single(_env.Upstream.Bodies, "?id=plain token=" + placeholder);
    }
}
