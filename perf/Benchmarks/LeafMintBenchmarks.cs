using System.Net.Security;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Gateway.Interception.Certificates;

namespace Benchmarks;

/// <summary>
/// Leaf certificates for intercepted hosts (budget: cold mint ≤ 1 ms, never a key generation on
/// the request path). Cold: a host never seen before, so the cache mints (sign with the CA key,
/// attach the shared leaf key, build the <see cref="SslStreamCertificateContext"/>). Warm: the
/// cached context for a known host. The baseline is one ECDSA P-256 signature over a
/// certificate-sized message: the least any mint must do. "keygen + mint" shows what a
/// per-leaf key would add, the cost the shared key avoids.
/// </summary>
public class LeafMintBenchmarks
{
    private readonly byte[] _toBeSigned = RandomNumberGenerator.GetBytes(400);
    private string _stateDir = "";
    private CertificateAuthority _ca = null!;
    private LeafCertificateCache _cold = null!;
    private LeafCertificateCache _warm = null!;
    private LeafCertificateIssuer _issuer = null!;
    private ECDsa _signer = null!;
    private ECDsa _leafKey = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _stateDir = Directory.CreateTempSubdirectory("bench-ca-").FullName;
        _ca = CertificateAuthority.LoadOrCreate(_stateDir, TimeProvider.System);
        _signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        // Large enough that the cold benchmark measures minting, not eviction's sort every tenth of capacity.
        _cold = new LeafCertificateCache(_ca, TimeProvider.System, capacity: 1 << 20);
        _warm = new LeafCertificateCache(_ca, TimeProvider.System);
        _warm.GetContext("api.example.test");
        _leafKey = LeafCertificateIssuer.CreateLeafKey();
        _issuer = new LeafCertificateIssuer(_ca, _leafKey);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cold.Dispose();
        _warm.Dispose();
        _signer.Dispose();
        _leafKey.Dispose();
        _ca.Dispose();
        Directory.Delete(_stateDir, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "one P-256 signature (baseline)")]
    public byte[] Baseline_Sign() => _signer.SignData(_toBeSigned, HashAlgorithmName.SHA256);

    [Benchmark(Description = "cold: GetContext, new host")]
    public SslStreamCertificateContext Cold_GetContext() => _cold.GetContext(NextHost());

    [Benchmark(Description = "cold: issuer.Mint alone")]
    public object Cold_Mint() => _issuer.Mint(NextHost(), DateTimeOffset.UtcNow);

    [Benchmark(Description = "keygen + mint (what the shared key avoids)")]
    public object KeyGenerationAndMint()
    {
        using var key = LeafCertificateIssuer.CreateLeafKey();
        return new LeafCertificateIssuer(_ca, key).Mint(NextHost(), DateTimeOffset.UtcNow);
    }

    [Benchmark(Description = "warm: GetContext, cached host")]
    public SslStreamCertificateContext Warm_GetContext() => _warm.GetContext("api.example.test");

    private string NextHost() => $"h{Interlocked.Increment(ref _next)}.example.test";
}
