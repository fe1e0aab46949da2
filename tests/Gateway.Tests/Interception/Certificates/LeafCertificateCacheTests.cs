using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gateway.Interception.Certificates;
using Gateway.Tests.Protocols;

namespace Gateway.Tests.Interception.Certificates;

public sealed class LeafCertificateCacheTests : IDisposable
{
    private readonly string _stateDir = Directory.CreateTempSubdirectory("gw-leaf-").FullName;
    private readonly ManualClock _clock = ManualClock.AtNow();
    private readonly CertificateAuthority _ca;
    private readonly OpenSsl _openSsl = new();

    public LeafCertificateCacheTests() => _ca = CertificateAuthority.LoadOrCreate(_stateDir, _clock);

    [OpenSslTheory]
    [InlineData("api.example.test", "DNS:api.example.test", "-verify_hostname")]
    [InlineData("127.0.0.1", "IP Address:127.0.0.1", "-verify_ip")]
    [InlineData("::1", "IP Address:0:0:0:0:0:0:0:1", "-verify_ip")]
    [InlineData("a-label-that-is-quite-long-on-purpose.and-another-label-of-length.example.test", "DNS:a-label-that-is-quite-long-on-purpose.and-another-label-of-length.example.test", "-verify_hostname")]
    public async Task Leaf_VerifiesAgainstTheCaAlone_ForExactlyThatHost(string host, string san, string verifyName)
    {
        using var cache = new LeafCertificateCache(_ca, _clock);
        X509Certificate2 leaf = cache.GetContext(host).TargetCertificate;

        (int exit, string output) = await _openSsl.VerifyAsync(leaf, _ca.PublicCertificate, verifyName, host);
        Assert.True(exit == 0, output);

        string path = _openSsl.Write(leaf, "san.pem");
        (exit, output) = await OpenSsl.RunAsync("x509", "-noout", "-ext", "subjectAltName", "-in", path);
        Assert.True(exit == 0, output);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(san, lines[^1]);
    }

    [Theory]
    [InlineData("api.example.test", "api.example.test", null)]
    [InlineData("127.0.0.1", null, "127.0.0.1")]
    [InlineData("2001:db8::1", null, "2001:db8::1")]
    [InlineData("1", "1", null)] // inet_aton would read 0.0.0.1: the leaf names what was decided, nothing else
    public void Leaf_NamesExactlyOneDnsNameOrOneAddress(string host, string? dnsName, string? address)
    {
        using var cache = new LeafCertificateCache(_ca, _clock);
        X509Certificate2 leaf = cache.GetContext(host).TargetCertificate;

        var san = Assert.IsType<X509SubjectAlternativeNameExtension>(leaf.Extensions["2.5.29.17"]);
        Assert.Equal(dnsName is null ? [] : [dnsName], san.EnumerateDnsNames());
        Assert.Equal(address is null ? [] : [address], san.EnumerateIPAddresses().Select(a => a.ToString()));
    }

    [OpenSslFact]
    public async Task Leaf_DoesNotVerifyForAnotherHost()
    {
        using var cache = new LeafCertificateCache(_ca, _clock);
        X509Certificate2 leaf = cache.GetContext("api.example.test").TargetCertificate;

        (int exit, string output) = await _openSsl.VerifyAsync(leaf, _ca.PublicCertificate, "-verify_hostname", "other.example.test");

        Assert.NotEqual(0, exit);
        Assert.Contains("hostname mismatch", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Leaves_ShareOneP256Key_ButEachHasItsOwnSerial_ServerAuthOnly_AndShortValidity()
    {
        using var cache = new LeafCertificateCache(_ca, _clock);
        X509Certificate2 a = cache.GetContext("a.example.test").TargetCertificate;
        X509Certificate2 b = cache.GetContext("b.example.test").TargetCertificate;

        Assert.Equal(a.PublicKey.EncodedKeyValue.RawData, b.PublicKey.EncodedKeyValue.RawData);
        Assert.NotEqual(a.SerialNumber, b.SerialNumber);
        Assert.True(a.HasPrivateKey);
        Assert.Equal("1.2.840.10045.2.1", a.PublicKey.Oid.Value); // id-ecPublicKey
        var usage = Assert.IsType<X509EnhancedKeyUsageExtension>(a.Extensions["2.5.29.37"]);
        Assert.Equal(["1.3.6.1.5.5.7.3.1"], usage.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value));
        Assert.False(Assert.IsType<X509BasicConstraintsExtension>(a.Extensions["2.5.29.19"]).CertificateAuthority);
        DateTime now = _clock.GetUtcNow().UtcDateTime;
        Assert.InRange(now - a.NotBefore.ToUniversalTime(), TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(6));
        Assert.InRange(a.NotAfter.ToUniversalTime() - now, TimeSpan.FromHours(23), TimeSpan.FromHours(25));
        Assert.Equal(_ca.Certificate.Subject, a.Issuer);
    }

    [Fact]
    public void Context_IsBuiltWithoutAChainBuild_OnThisRuntime()
    {
        using var cache = new LeafCertificateCache(_ca, _clock);

        SslStreamCertificateContext context = cache.GetContext("api.example.test");

        // False means the runtime's private constructor changed: contexts still work, but each
        // mint pays a chain build over every system root again (see LeafCertificateContext).
        Assert.True(LeafCertificateContext.Direct);
        Assert.Empty(context.IntermediateCertificates);
        Assert.True(context.TargetCertificate.HasPrivateKey);
    }

    [Fact]
    public void SecondRequest_ReturnsTheSameContext_WithoutMintingAgain()
    {
        using var cache = new LeafCertificateCache(_ca, _clock);

        SslStreamCertificateContext first = cache.GetContext("api.example.test");
        SslStreamCertificateContext second = cache.GetContext("api.example.test");

        Assert.Same(first, second);
        Assert.Equal(1, cache.Mints);
    }

    [Fact]
    public void PastCapacity_TheLeastRecentlyUsedHostsAreEvicted()
    {
        using var cache = new LeafCertificateCache(_ca, _clock, capacity: 10);
        SslStreamCertificateContext kept = cache.GetContext("host0.example.test");
        SslStreamCertificateContext dropped = cache.GetContext("host1.example.test");
        for (int i = 2; i < 10; i++)
        {
            cache.GetContext($"host{i}.example.test");
        }

        Assert.Same(kept, cache.GetContext("host0.example.test")); // now the most recently used but one
        cache.GetContext("host10.example.test");

        Assert.InRange(cache.Count, 1, 10);
        Assert.Same(kept, cache.GetContext("host0.example.test"));
        long mints = cache.Mints;
        Assert.NotSame(dropped, cache.GetContext("host1.example.test"));
        Assert.Equal(mints + 1, cache.Mints);
        Assert.InRange(cache.Count, 1, 10);
    }

    [Fact]
    public void ManyHosts_NeverHoldMoreThanTheCapacity()
    {
        using var cache = new LeafCertificateCache(_ca, _clock, capacity: 20);
        for (int i = 0; i < 100; i++)
        {
            cache.GetContext($"h{i}.example.test");
            Assert.InRange(cache.Count, 1, 20);
        }

        Assert.Equal(100, cache.Mints);
    }

    [Fact]
    public async Task ConcurrentFirstRequestsForOneHost_MintOnce()
    {
        using var cache = new LeafCertificateCache(_ca, _clock);
        const int Threads = 16;
        using var start = new Barrier(Threads);
        var contexts = new SslStreamCertificateContext[Threads];
        Task[] workers = new Task[Threads];
        for (int i = 0; i < Threads; i++)
        {
            int index = i;
            workers[i] = Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait(TimeSpan.FromSeconds(30));
                    contexts[index] = cache.GetContext("api.example.test");
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, cache.Mints);
        Assert.All(contexts, c => Assert.Same(contexts[0], c));
    }

    [Fact]
    public void Leaf_IsReplacedBeforeItExpires()
    {
        using var cache = new LeafCertificateCache(_ca, _clock);
        SslStreamCertificateContext first = cache.GetContext("api.example.test");

        _clock.Advance(LeafCertificateIssuer.Lifetime - LeafCertificateIssuer.RenewBefore - TimeSpan.FromMinutes(1));
        Assert.Same(first, cache.GetContext("api.example.test"));

        _clock.Advance(TimeSpan.FromMinutes(2));
        SslStreamCertificateContext renewed = cache.GetContext("api.example.test");

        Assert.NotSame(first, renewed);
        Assert.True(renewed.TargetCertificate.NotAfter > first.TargetCertificate.NotAfter);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Leaf_NeverOutlivesTheCa()
    {
        using var cache = new LeafCertificateCache(_ca, _clock);
        _clock.Advance(CertificateAuthority.Lifetime - TimeSpan.FromHours(2));

        X509Certificate2 leaf = cache.GetContext("api.example.test").TargetCertificate;

        Assert.Equal(_ca.Certificate.NotAfter, leaf.NotAfter);
    }

    [OpenSslFact]
    public async Task AfterReplace_NewLeavesChainToTheNewCaOnly()
    {
        using var cache = new LeafCertificateCache(_ca, _clock);
        SslStreamCertificateContext before = cache.GetContext("api.example.test");
        using CertificateAuthority rotated = CertificateAuthority.Rotate(_stateDir, _clock);

        cache.Replace(rotated);
        X509Certificate2 after = cache.GetContext("api.example.test").TargetCertificate;

        Assert.NotSame(before.TargetCertificate, after);
        Assert.Same(rotated, cache.Authority);
        Assert.Equal(1, cache.Count);
        (int exit, string output) = await _openSsl.VerifyAsync(after, rotated.PublicCertificate);
        Assert.True(exit == 0, output);
        (exit, output) = await _openSsl.VerifyAsync(after, _ca.PublicCertificate);
        Assert.True(exit != 0, output);
    }

    [Theory]
    [InlineData("")]
    public void EmptyHost_IsRefused(string host)
    {
        using var cache = new LeafCertificateCache(_ca, _clock);

        Assert.Throws<ArgumentException>(() => cache.GetContext(host));
    }

    public void Dispose()
    {
        _openSsl.Dispose();
        _ca.Dispose();
        Directory.Delete(_stateDir, recursive: true);
    }
}
