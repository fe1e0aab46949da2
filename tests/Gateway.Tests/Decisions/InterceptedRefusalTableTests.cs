using System.Text.Json;
using Gateway.Decisions;
using Gateway.Listeners;
using Gateway.Tests.Listeners;
using Gateway.Tests.Interception;
using Row = Gateway.Tests.Decisions.RefusalTableTests.Row;

namespace Gateway.Tests.Decisions;

/// <summary>
/// Invariant 7 inside terminated connections: each request is decided again (well formed, the
/// decided host, the host's L7 rules, no placeholder where it has no business), and each refusal
/// is exactly one event, through the forward proxy and the transparent TLS listener alike. Real
/// curl, trusting only the gateway's CA, against a real TLS upstream.
/// </summary>
public sealed class InterceptedRefusalTableTests
{
    [Fact]
    public async Task EveryRequestRefusal_OnEveryInterceptingListener_IsExactlyOneAuditEvent()
    {
        await using InterceptedGateway env = await InterceptedGateway.StartAsync("s3cr3t-TABLE-90a1", "managed-TABLE-33f2", transparent: true);
        string placeholder = await PlaceholderAsync(env);
        int port = env.Upstream.Port;
        string viaTls = $"rules.example.test:{port}:127.0.0.1:{env.TransparentTlsPort}";
        Row[] rows =
        [
            new("a path an L7 rule denies", ListenerKind.Forward, EgressReason.L7Rule, 403,
                () => ExpectAsync(403, env.CurlAsync("rules.example.test", "/admin", "-i", "--http1.1"))),
            new("a method no L7 rule allows", ListenerKind.Forward, EgressReason.L7Rule, 403,
                () => ExpectAsync(403, env.CurlAsync("rules.example.test", "/repos/a/b", "-i", "--http1.1", "-X", "POST"))),
            new("a Host naming another host", ListenerKind.Forward, EgressReason.Misdirected, 421,
                () => ExpectAsync(421, env.CurlAsync("rules.example.test", "/repos/a", "-i", "--http1.1", "-H", $"Host: other.example.test:{port}"))),
            new("an ambiguous path where L7 rules apply", ListenerKind.Forward, EgressReason.Malformed, 400,
                () => ExpectAsync(400, env.CurlAsync("rules.example.test", "/x/%2e%2e/admin", "-i", "--http1.1", "--path-as-is"))),
            new("a placeholder toward a host it is not bound to", ListenerKind.Forward, EgressReason.PlaceholderLeak, 403,
                () => ExpectAsync(403, env.CurlAsync("rules.example.test", "/repos/a", "-i", "--http1.1", "-H", "X-Token: " + placeholder))),
            new("a placeholder over plain HTTP", ListenerKind.Forward, EgressReason.PlaceholderLeak, 403,
                () => ExpectAsync(403, Curl.RunAsync("-i", "-x", env.Gateway.ProxyUrl, "-H", "X-Token: " + placeholder, $"http://api.example.test:{port}/"))),
            new("a path an L7 rule denies, redirected", ListenerKind.TransparentTls, EgressReason.L7Rule, 403,
                () => ExpectAsync(403, Curl.RunAsync("-i", "--http2", "--cacert", env.GatewayCaPath, "--connect-to", viaTls, $"https://rules.example.test:{port}/admin"))),
            new("a Host naming another host, redirected", ListenerKind.TransparentTls, EgressReason.Misdirected, 421,
                () => ExpectAsync(421, Curl.RunAsync("-i", "--http1.1", "--cacert", env.GatewayCaPath, "--connect-to", viaTls, "-H", $"Host: other.example.test:{port}", $"https://rules.example.test:{port}/repos/a"))),
        ];

        await RefusalTableTests.RunAsync(env.Gateway, rows);
        Assert.Empty(env.Upstream.For("/admin"));
    }

    private static async Task ExpectAsync(int status, Task<(int Exit, string Stdout, string Stderr)> curl)
    {
        var (exit, stdout, stderr) = await curl;
        Assert.True(exit == 0, stderr);
        Assert.Matches($"^HTTP/[0-9.]+ {status}", stdout);
    }

    private static async Task<string> PlaceholderAsync(InterceptedGateway env)
    {
        using HttpClient admin = AdminHttp.Create(env.Gateway.StateDir);
        using JsonDocument environment = JsonDocument.Parse(await admin.GetStringAsync("/sandboxes/dev/environment"));
        return environment.RootElement.GetProperty("proxyManaged").GetProperty(env.ManagedVariable).GetString()!;
    }
}
