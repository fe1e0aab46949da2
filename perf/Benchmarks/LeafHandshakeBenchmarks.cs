using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using Gateway.Interception.Certificates;

namespace Benchmarks;

/// <summary>
/// Full TLS handshakes (budget: cached ≥ 1,000/s per core) over in-memory pipes: an
/// <see cref="SslStream"/> server presenting the cache's context for the client's SNI, and an
/// <see cref="SslStream"/> client that trusts only the interception CA. Both ends run in this
/// process, so each figure is client plus server CPU: the server alone is faster. The client
/// never resumes a session (a sandbox's curl is a new process each time). Cached: the host's
/// context exists (its OpenSSL context too). Cold: a host never seen, so mint and first use
/// of the context are in the handshake.
/// </summary>
public class LeafHandshakeBenchmarks
{
    private string _stateDir = "";
    private CertificateAuthority _ca = null!;
    private LeafCertificateCache _cache = null!;
    private SslClientAuthenticationOptions _client = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _stateDir = Directory.CreateTempSubdirectory("bench-tls-").FullName;
        _ca = CertificateAuthority.LoadOrCreate(_stateDir, TimeProvider.System);
        _cache = new LeafCertificateCache(_ca, TimeProvider.System, capacity: 1 << 20);
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(_ca.PublicCertificate);
        _client = new SslClientAuthenticationOptions
        {
            TargetHost = "api.example.test",
            CertificateChainPolicy = policy,
            AllowTlsResume = false,

            // A client certificate callback also keeps .NET's client off its shared, resuming OpenSSL context.
            LocalCertificateSelectionCallback = static (_, _, _, _, _) => null!,
        };
        HandshakeAsync("api.example.test").GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cache.Dispose();
        _ca.Dispose();
        Directory.Delete(_stateDir, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "cached: full handshake, known host")]
    public Task Cached() => HandshakeAsync("api.example.test");

    [Benchmark(Description = "cold: full handshake, new host (mint inside)")]
    public Task Cold() => HandshakeAsync($"h{Interlocked.Increment(ref _next)}.example.test");

    private async Task HandshakeAsync(string host)
    {
        (LeafDuplexStream clientEnd, LeafDuplexStream serverEnd) = LeafDuplexStream.CreatePair();
        await using var client = new SslStream(clientEnd);
        await using var server = new SslStream(serverEnd);
        SslClientAuthenticationOptions options = host == _client.TargetHost ? _client : WithHost(host);
        Task serverSide = server.AuthenticateAsServerAsync(
            static (_, hello, state, _) => ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = ((LeafCertificateCache)state!).GetContext(hello.ServerName),
            }),
            _cache);
        await client.AuthenticateAsClientAsync(options).ConfigureAwait(false);
        await serverSide.ConfigureAwait(false);
    }

    private SslClientAuthenticationOptions WithHost(string host) => new()
    {
        TargetHost = host,
        CertificateChainPolicy = _client.CertificateChainPolicy,
        AllowTlsResume = false,
        LocalCertificateSelectionCallback = _client.LocalCertificateSelectionCallback,
    };
}
