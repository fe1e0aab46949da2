using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace LoadDriver.Origin;

/// <summary>
/// A throw-away ECDSA P-256 CA and a leaf for <c>*.example.test</c>, <c>localhost</c> and
/// 127.0.0.1, made fresh for each suite run. The CA goes to <c>origin-ca.pem</c> so the
/// gateway (<c>trust.extraRootCAs</c>), mitmproxy and the driver all verify the origin.
/// </summary>
internal static class OriginCertificates
{
    /// <summary>Name of the CA file in the certificate directory.</summary>
    public const string CaFileName = "origin-ca.pem";

    /// <summary>Creates the CA and leaf, writes the CA's PEM to <paramref name="directory"/>, returns the leaf (with key) and the CA.</summary>
    public static (X509Certificate2 Leaf, X509Certificate2 Ca) Create(string directory)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=perf origin CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=origin.example.test", leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("*.example.test");
        names.AddDnsName("origin.example.test");
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(names.Build());
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        leafRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using X509Certificate2 signed = leafRequest.Create(ca, now.AddDays(-1), now.AddDays(7), RandomNumberGenerator.GetBytes(12));
        using X509Certificate2 withKey = signed.CopyWithPrivateKey(leafKey);

        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, CaFileName), ca.ExportCertificatePem());

        // A PKCS#12 round trip gives SslStream a key it can use on every platform.
        X509Certificate2 leaf = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return (leaf, X509CertificateLoader.LoadCertificate(ca.RawData));
    }

    /// <summary>Loads the CA written by <see cref="Create"/>.</summary>
    public static X509Certificate2 LoadCa(string directory) => LoadPem(Path.Combine(directory, CaFileName));

    /// <summary>Loads the first certificate of a PEM file (no key).</summary>
    public static X509Certificate2 LoadPem(string path)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(path);
        return certificates.Count > 0 ? certificates[0] : throw new InvalidOperationException($"{path} holds no certificate");
    }
}
