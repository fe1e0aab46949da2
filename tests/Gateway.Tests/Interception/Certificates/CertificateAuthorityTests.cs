using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Interception.Certificates;
using Gateway.Tests.Protocols;

namespace Gateway.Tests.Interception.Certificates;

public sealed class CertificateAuthorityTests : IDisposable
{
    private readonly string _stateDir = Directory.CreateTempSubdirectory("gw-ca-").FullName;
    private readonly ManualClock _clock = ManualClock.AtNow();

    private string CaDir => Path.Combine(_stateDir, "ca");

    private string CertificatePath => Path.Combine(CaDir, CertificateAuthority.CertificateFileName);

    private string KeyPath => Path.Combine(CaDir, CertificateAuthority.KeyFileName);

    [Fact]
    public void FirstStart_CreatesAnOwnerOnlyKeyInAnOwnerOnlyDirectory()
    {
        using CertificateAuthority ca = CertificateAuthority.LoadOrCreate(_stateDir, _clock);

        Assert.True(ca.Created);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(CaDir));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(KeyPath), StringComparison.Ordinal);
        Assert.Equal(ca.CertificatePem.Trim(), File.ReadAllText(CertificatePath).Trim());
        Assert.True(ca.Certificate.HasPrivateKey);
        Assert.Empty(Directory.GetFiles(CaDir, "*.tmp"));
        Assert.Empty(Directory.GetFiles(CaDir, "*.next"));
    }

    [Fact]
    public void ExistingDirectoryWithLooseMode_IsTightenedTo0700()
    {
        Directory.CreateDirectory(CaDir);
        File.SetUnixFileMode(CaDir, (UnixFileMode)0b111_101_101);

        using CertificateAuthority ca = CertificateAuthority.LoadOrCreate(_stateDir, _clock);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(CaDir));
    }

    [Fact]
    public void SecondStart_LoadsTheSamePairUnchanged()
    {
        string thumbprint;
        using (CertificateAuthority first = CertificateAuthority.LoadOrCreate(_stateDir, _clock))
        {
            thumbprint = first.Certificate.Thumbprint;
        }

        byte[] key = File.ReadAllBytes(KeyPath);
        byte[] certificate = File.ReadAllBytes(CertificatePath);
        using CertificateAuthority second = CertificateAuthority.LoadOrCreate(_stateDir, _clock);

        Assert.False(second.Created);
        Assert.Equal(thumbprint, second.Certificate.Thumbprint);
        Assert.True(second.Certificate.HasPrivateKey);
        Assert.Equal(key, File.ReadAllBytes(KeyPath));
        Assert.Equal(certificate, File.ReadAllBytes(CertificatePath));
    }

    [Fact]
    public void Rotate_ReplacesKeyAndCertificate_AndTheNextStartLoadsTheNewPair()
    {
        using CertificateAuthority before = CertificateAuthority.LoadOrCreate(_stateDir, _clock);
        using CertificateAuthority rotated = CertificateAuthority.Rotate(_stateDir, _clock);
        using CertificateAuthority after = CertificateAuthority.LoadOrCreate(_stateDir, _clock);

        Assert.True(rotated.Created);
        Assert.NotEqual(before.Certificate.Thumbprint, rotated.Certificate.Thumbprint);
        Assert.NotEqual(before.Certificate.PublicKey.EncodedKeyValue.RawData, rotated.Certificate.PublicKey.EncodedKeyValue.RawData);
        Assert.Equal(rotated.Certificate.Thumbprint, after.Certificate.Thumbprint);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
    }

    [Fact]
    public void Certificate_IsAnEcdsaP256CaValidForAYear()
    {
        using CertificateAuthority ca = CertificateAuthority.LoadOrCreate(_stateDir, _clock);
        X509Certificate2 certificate = ca.Certificate;

        using ECDsa? key = certificate.GetECDsaPublicKey();
        Assert.Equal(256, key!.KeySize);
        Assert.Contains("Egress Gateway Local Interception CA", certificate.Subject, StringComparison.Ordinal);
        Assert.Contains("O=egress-gateway", certificate.Subject, StringComparison.Ordinal);
        Assert.Equal(certificate.Subject, certificate.Issuer);
        var constraints = Assert.IsType<X509BasicConstraintsExtension>(certificate.Extensions["2.5.29.19"]);
        Assert.True(constraints.CertificateAuthority);
        Assert.True(constraints.HasPathLengthConstraint);
        Assert.Equal(0, constraints.PathLengthConstraint);
        var usage = Assert.IsType<X509KeyUsageExtension>(certificate.Extensions["2.5.29.15"]);
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, usage.KeyUsages);
        Assert.InRange(certificate.NotAfter.ToUniversalTime() - _clock.GetUtcNow().UtcDateTime, TimeSpan.FromDays(364), TimeSpan.FromDays(366));
        Assert.True(certificate.NotBefore.ToUniversalTime() < _clock.GetUtcNow().UtcDateTime);
    }

    [OpenSslFact]
    public async Task Pem_ParsesWithOpenSsl_AsCaTrue()
    {
        using CertificateAuthority ca = CertificateAuthority.LoadOrCreate(_stateDir, _clock);

        (int exit, string text) = await OpenSsl.RunAsync("x509", "-noout", "-text", "-in", ca.CertificatePath);

        Assert.True(exit == 0, text);
        Assert.Contains("CA:TRUE, pathlen:0", text, StringComparison.Ordinal);
        Assert.Contains("Certificate Sign, CRL Sign", text, StringComparison.Ordinal);
        Assert.Contains("ecdsa-with-SHA256", text, StringComparison.Ordinal);
        Assert.Contains("prime256v1", text, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BrokenPairs => new()
    {
        { "garbage key", CertificateAuthority.KeyFileName },
        { "garbage certificate", CertificateAuthority.CertificateFileName },
        { "key of another CA", CertificateAuthority.KeyFileName },
        { "missing certificate", CertificateAuthority.CertificateFileName },
        { "missing key", CertificateAuthority.KeyFileName },
    };

    [Theory]
    [MemberData(nameof(BrokenPairs))]
    public void BrokenPair_FailsWithOneLineNamingTheFileAndTheFix(string breakage, string blamed)
    {
        CertificateAuthority.LoadOrCreate(_stateDir, _clock).Dispose();
        switch (breakage)
        {
            case "garbage key":
                File.WriteAllText(KeyPath, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
                break;
            case "garbage certificate":
                File.WriteAllText(CertificatePath, "hello");
                break;
            case "key of another CA":
                string other = Directory.CreateTempSubdirectory("gw-ca-other-").FullName;
                CertificateAuthority.LoadOrCreate(other, _clock).Dispose();
                File.Copy(Path.Combine(other, "ca", CertificateAuthority.KeyFileName), KeyPath, overwrite: true);
                Directory.Delete(other, recursive: true);
                break;
            case "missing certificate":
                File.Delete(CertificatePath);
                break;
            default:
                File.Delete(KeyPath);
                break;
        }

        var e = Assert.Throws<CertificateAuthorityException>(() => CertificateAuthority.LoadOrCreate(_stateDir, _clock));

        Assert.StartsWith(Path.Combine(CaDir, blamed) + ":", e.Message, StringComparison.Ordinal);
        Assert.Contains("gateway ca rotate", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ExpiredCa_FailsSayingToRotate()
    {
        CertificateAuthority.LoadOrCreate(_stateDir, _clock).Dispose();
        _clock.Advance(CertificateAuthority.Lifetime + TimeSpan.FromDays(1));

        var e = Assert.Throws<CertificateAuthorityException>(() => CertificateAuthority.LoadOrCreate(_stateDir, _clock));

        Assert.StartsWith(CertificatePath + ": the interception CA expired", e.Message, StringComparison.Ordinal);
        Assert.Contains("gateway ca rotate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteInterruptedAfterTheKey_IsCompletedOnTheNextStart()
    {
        string old = CreateAndGetThumbprint();
        (string pendingCertificate, string newKey) = PairFromAnotherStateDirectory(out string expected);
        File.Copy(pendingCertificate, CertificatePath + ".next");
        File.Copy(newKey, KeyPath, overwrite: true); // the crash came after the key, before the certificate

        using CertificateAuthority loaded = CertificateAuthority.LoadOrCreate(_stateDir, _clock);

        Assert.NotEqual(old, loaded.Certificate.Thumbprint);
        Assert.Equal(expected, loaded.Certificate.Thumbprint);
        Assert.False(File.Exists(CertificatePath + ".next"));
    }

    [Fact]
    public void WriteInterruptedBeforeTheKey_KeepsTheOldPair()
    {
        string old = CreateAndGetThumbprint();
        (string pendingCertificate, _) = PairFromAnotherStateDirectory(out _);
        File.Copy(pendingCertificate, CertificatePath + ".next");

        using CertificateAuthority loaded = CertificateAuthority.LoadOrCreate(_stateDir, _clock);

        Assert.Equal(old, loaded.Certificate.Thumbprint);
        Assert.False(File.Exists(CertificatePath + ".next"));
    }

    [Fact]
    public void Subject_WithALongHostName_StaysWithinTheCommonNameLimit()
    {
        X500DistinguishedName name = CertificateAuthority.SubjectFor(new string('h', 200));

        Assert.Contains("CN=Egress Gateway Local Interception CA (hhh", name.Name, StringComparison.Ordinal);
        Assert.True(name.Name.Length < 100, name.Name);
    }

    public void Dispose() => Directory.Delete(_stateDir, recursive: true);

    private string CreateAndGetThumbprint()
    {
        using CertificateAuthority ca = CertificateAuthority.LoadOrCreate(_stateDir, _clock);
        return ca.Certificate.Thumbprint;
    }

    private (string Certificate, string Key) PairFromAnotherStateDirectory(out string thumbprint)
    {
        string other = Path.Combine(_stateDir, "other");
        using CertificateAuthority ca = CertificateAuthority.LoadOrCreate(other, _clock);
        thumbprint = ca.Certificate.Thumbprint;
        return (Path.Combine(other, "ca", CertificateAuthority.CertificateFileName), Path.Combine(other, "ca", CertificateAuthority.KeyFileName));
    }
}
