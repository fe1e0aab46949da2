using Gateway.Interception.Certificates;
using Gateway.Interception.Tls;
using System.Net;
using Gateway.Configuration;
using Gateway.Interception;

namespace Gateway.Tests.Interception;

/// <summary>
/// TLS session resumption toward the sandbox on intercepted connections: a host's leaf keeps its
/// OpenSSL context (and so its ticket key) while it is cached, however many other contexts the
/// runtime creates and drops meanwhile; a session resumes only the host it was made for, and
/// never lets a sandbox past a decision.
/// </summary>
public sealed class LeafContextAnchorTests
{
    private const string Dev = "127.0.0.1";

    [PythonFact]
    public async Task ASession_ResumesItsHost_AfterTheRuntimeDroppedEveryIdleTlsContext()
    {
        await using InterceptedGateway env = await InterceptedGateway.StartAsync("anchor-secret");
        await using var client = ResumingTlsClient.Start(env.Gateway.Port, env.Upstream.Port, env.GatewayCaPath);
        Assert.Equal("connect=200 resumed=false http=200", await client.ConnectAsync(Dev, "api.example.test", "keep"));
        Assert.EndsWith("http=200", await client.ConnectAsync(Dev, "api.example.test", "keep"));
        Assert.Equal("connect=200 resumed=false http=200", await client.ConnectAsync(Dev, "rules.example.test", "keep"));

        ChurnTlsContexts();

        Assert.Equal("connect=200 resumed=true http=200", await client.ConnectAsync(Dev, "api.example.test", "resume:api.example.test"));

        // The control: a host seen once has no anchor yet, and the churn did drop its context.
        Assert.Equal("connect=200 resumed=false http=200", await client.ConnectAsync(Dev, "rules.example.test", "resume:rules.example.test"));
        Assert.Equal("Bearer anchor-secret", env.Upstream.For("/resume").First(s => s.Host.StartsWith("api.", StringComparison.Ordinal)).Headers["Authorization"]);
    }

    [PythonFact]
    public async Task ASessionForOneHost_DoesNotResumeAnother_TheHandshakeIsFull()
    {
        await using InterceptedGateway env = await InterceptedGateway.StartAsync("anchor-secret");
        await using var client = ResumingTlsClient.Start(env.Gateway.Port, env.Upstream.Port, env.GatewayCaPath);
        await client.ConnectAsync(Dev, "api.example.test", "keep");
        await client.ConnectAsync(Dev, "rules.example.test", "new");
        await client.ConnectAsync(Dev, "api.example.test", "keep");

        Assert.Equal("connect=200 resumed=false http=200", await client.ConnectAsync(Dev, "rules.example.test", "resume:api.example.test"));
        Assert.Equal("connect=200 resumed=true http=200", await client.ConnectAsync(Dev, "api.example.test", "resume:api.example.test"));
    }

    [PythonFact]
    public async Task ASessionFromOneSandbox_GetsAnotherSandbox_NoFurtherThanItsOwnDecision()
    {
        await using InterceptedGateway env = await InterceptedGateway.StartAsync(
            "anchor-secret",
            configure: c => c with { Sandboxes = [.. c.Sandboxes, new SandboxConfig("bystander", [IPAddress.Parse("127.0.0.2")], [], null)] });
        await using var client = ResumingTlsClient.Start(env.Gateway.Port, env.Upstream.Port, env.GatewayCaPath);
        await client.ConnectAsync(Dev, "api.example.test", "keep");
        await client.ConnectAsync(Dev, "api.example.test", "keep");
        int seen = env.Upstream.For("/resume").Count;

        // The other sandbox may not reach api.example.test: refused at CONNECT, before any TLS.
        Assert.Equal("connect=403", await client.ConnectAsync("127.0.0.2", "api.example.test", "resume:api.example.test"));
        Assert.Equal(seen, env.Upstream.For("/resume").Count);
    }

    [PythonFact]
    public async Task TwoClientConnections_ShareOneUpstreamConnection_EachRequestWithItsCredential()
    {
        await using InterceptedGateway env = await InterceptedGateway.StartAsync("pooled-secret");
        await using var client = ResumingTlsClient.Start(env.Gateway.Port, env.Upstream.Port, env.GatewayCaPath);

        Assert.Equal("connect=200 resumed=false http=200", await client.ConnectAsync(Dev, "api.example.test", "new"));
        Assert.Equal("connect=200 resumed=false http=200", await client.ConnectAsync(Dev, "api.example.test", "new"));

        Assert.Equal(1, env.Upstream.Accepted);
        Assert.All(env.Upstream.For("/resume"), s => Assert.Equal("Bearer pooled-secret", s.Headers["Authorization"]));
        Assert.Equal(2, env.Upstream.For("/resume").Count);
    }

    [Fact]
    public void AnchoredContext_IsReleased_WhenItsLeafLeavesTheCache()
    {
        string dir = Directory.CreateTempSubdirectory("gw-anchor-").FullName;
        try
        {
            using CertificateAuthority ca = CertificateAuthority.LoadOrCreate(dir, TimeProvider.System);
            using var cache = new LeafCertificateCache(ca, TimeProvider.System, capacity: 10);
            _ = cache.GetContext("a.example.test");
            MintedLeaf leaf = cache.LeafOf("a.example.test")!;
            Assert.False(leaf.Anchored);

            _ = cache.GetContext("a.example.test");
            Assert.Equal(OperatingSystem.IsLinux(), leaf.Anchored);

            cache.Replace(ca);
            Assert.False(leaf.Anchored);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Anchors_AreBounded_AndGiveTheirSlotsBackWithTheirLeaves()
    {
        string dir = Directory.CreateTempSubdirectory("gw-anchor-").FullName;
        try
        {
            using CertificateAuthority ca = CertificateAuthority.LoadOrCreate(dir, TimeProvider.System);
            using var cache = new LeafCertificateCache(ca, TimeProvider.System);
            for (int i = 0; i < LeafCertificateCache.MaxAnchors + 8; i++)
            {
                _ = cache.GetContext($"h{i}.example.test");
                _ = cache.GetContext($"h{i}.example.test");
            }

            int expected = OperatingSystem.IsLinux() ? LeafCertificateCache.MaxAnchors : 0;
            Assert.Equal(expected, cache.Anchors);
            Assert.Equal(OperatingSystem.IsLinux(), cache.LeafOf("h0.example.test")!.Anchored);
            Assert.False(cache.LeafOf($"h{LeafCertificateCache.MaxAnchors + 7}.example.test")!.Anchored);

            cache.Replace(ca);
            Assert.Equal(0, cache.Anchors);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // Creates and lets go of enough TLS contexts that the runtime's process-wide SSL_CTX cache
    // (every 32nd insertion evicts what no connection holds) runs its clean-up more than once.
    private static void ChurnTlsContexts()
    {
        string dir = Directory.CreateTempSubdirectory("gw-churn-").FullName;
        try
        {
            using CertificateAuthority ca = CertificateAuthority.LoadOrCreate(dir, TimeProvider.System);
            using var cache = new LeafCertificateCache(ca, TimeProvider.System);
            for (int i = 0; i < 100; i++)
            {
                LeafContextAnchor.TryCreate(cache.GetContext($"churn{i}.example.test"), TlsTermination.ApplicationProtocols)?.Dispose();
                Thread.Sleep(2);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
