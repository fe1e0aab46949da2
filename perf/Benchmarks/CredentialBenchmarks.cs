using BenchmarkDotNet.Attributes;
using Gateway.Configuration;
using Gateway.Credentials;
using Gateway.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyCompiler.Kits;

namespace Benchmarks;

/// <summary>
/// What the credential broker adds to an intercepted request whose credential is cached: the
/// broker lookup (<see cref="CredentialBroker.GetAsync"/>, a cache hit) and the presentation
/// (<see cref="Credential.Presented"/>: the header value, formatted once per value). The budget
/// (DESIGN.md) is 2 µs and 0 B. The cached source is a <c>command</c> (a real process ran once in
/// setup); an OAuth2 or GitHub token sits in the same cache. An env source, read on every request
/// so that a rotated value is used at once, is shown for comparison.
/// </summary>
public class CredentialBenchmarks
{
    private readonly string _stateDir = Directory.CreateTempSubdirectory("bench-broker-").FullName;
    private CredentialBroker _broker = null!;
    private KitCredentialSource _cached = null!;
    private KitCredentialSource _env = null!;
    private KitServiceAuth _bearer = null!;
    private KitServiceAuth _basic = null!;

    [GlobalSetup]
    public void Setup()
    {
        _broker = new CredentialBroker(TimeProvider.System, new TokenClient(GatewayConfig.CreateDefault(_stateDir)), new GatewayMetrics(), NullLogger<CredentialBroker>.Instance);
        _cached = new KitCredentialSource("cli", [], null, KitCredentialPriority.EnvFirst)
        {
            Command = new KitCommand(["/bin/echo", "ghs_0123456789abcdefghijklmnopqrstuvwxyz"], TimeSpan.FromHours(1), TimeSpan.FromSeconds(10)),
        };
        Environment.SetEnvironmentVariable("BENCH_BROKER_TOKEN", "sk-0123456789abcdefghijklmnopqrstuvwxyz");
        _env = new KitCredentialSource("env", ["BENCH_BROKER_TOKEN"], null, KitCredentialPriority.EnvFirst);
        _bearer = new KitServiceAuth("cli", "Authorization", "Bearer %s") { Scheme = KitAuthScheme.Bearer };
        _basic = new KitServiceAuth("cli", "Authorization", "Basic %s") { Scheme = KitAuthScheme.Basic, Username = "x-access-token" };

        // The first request runs the command and formats each presentation; the benchmarks are every request after.
        CredentialResult first = _broker.GetAsync(_cached, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _ = first.Value!.Presented(_bearer);
        _ = first.Value.Presented(_basic);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _broker.Dispose();
        Directory.Delete(_stateDir, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "cached token: lookup + Bearer header value")]
    public int CachedBearer() => Present(_cached, _bearer);

    [Benchmark(Description = "cached token: lookup + Basic header value")]
    public int CachedBasic() => Present(_cached, _basic);

    [Benchmark(Description = "env source: read + Bearer header value (not cached, by design)")]
    public int EnvBearer() => Present(_env, _bearer);

    private int Present(KitCredentialSource source, KitServiceAuth auth)
    {
        ValueTask<CredentialResult> pending = _broker.GetAsync(source, CancellationToken.None);
        CredentialResult result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        return result.Value!.Presented(auth).Length;
    }
}
