using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Interception.Certificates;

/// <summary>
/// The local interception CA: an ECDSA P-256 key and a self-signed certificate in
/// <c>{stateDir}/ca/</c>, created on first use. It signs the short-lived leaves the gateway
/// presents when it terminates TLS for a host that needs a credential injected; sandboxes
/// trust it, nothing else does. Its subject says what it is, so a person who meets it in a
/// browser or curl error knows where it comes from.
/// </summary>
internal sealed partial class CertificateAuthority : IDisposable
{
    /// <summary>How long a new CA is valid; `gateway ca rotate` replaces it before then.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);

    // Sandboxes' clocks may lag the host's: a CA minted a second ago must already be valid there.
    private static readonly TimeSpan s_backdate = TimeSpan.FromHours(1);

    private readonly ECDsa _key;

    private CertificateAuthority(X509Certificate2 certificate, ECDsa key, string directory, bool created)
    {
        _key = key;
        Certificate = certificate;
        Directory = directory;
        Created = created;
        CertificatePem = certificate.ExportCertificatePem();
        PublicCertificate = X509CertificateLoader.LoadCertificate(certificate.RawData);
        Signer = X509SignatureGenerator.CreateForECDsa(key);
        AuthorityKeyIdentifier = X509AuthorityKeyIdentifierExtension.CreateFromCertificate(
            certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false);
    }

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate as PEM: what `gateway ca export` prints and sandboxes trust.</summary>
    public string CertificatePem { get; }

    /// <summary>True when this call created the CA (first start, or a rotation).</summary>
    public bool Created { get; }

    /// <summary>The directory holding the certificate and key files.</summary>
    public string Directory { get; }

    /// <summary>The certificate file, <c>{stateDir}/ca/egress-gateway-ca.pem</c>.</summary>
    public string CertificatePath => Path.Combine(Directory, CertificateFileName);

    /// <summary>The certificate without the key: what a leaf's chain carries.</summary>
    internal X509Certificate2 PublicCertificate { get; }

    /// <summary>Signs leaves with the CA key (ECDSA with SHA-256).</summary>
    internal X509SignatureGenerator Signer { get; }

    /// <summary>The CA's subject, which is every leaf's issuer.</summary>
    internal X500DistinguishedName Name => Certificate.SubjectName;

    /// <summary>The authority key identifier every leaf carries, so clients pick this CA among several with one name.</summary>
    internal X509Extension AuthorityKeyIdentifier { get; }

    /// <summary>
    /// Loads the CA from <paramref name="stateDir"/>, creating it (atomically, key mode 0600,
    /// directory 0700) when there is none. A corrupt, mismatched or expired pair throws
    /// <see cref="CertificateAuthorityException"/> with one line naming the file and the fix.
    /// </summary>
    public static CertificateAuthority LoadOrCreate(string stateDir, TimeProvider time)
    {
        string directory = DirectoryOf(stateDir);
        using FileStream held = AcquireLock(directory);
        RecoverInterruptedWrite(directory);
        return File.Exists(Path.Combine(directory, CertificateFileName)) || File.Exists(Path.Combine(directory, KeyFileName))
            ? Load(directory, time)
            : CreateAndStore(directory, time);
    }

    /// <summary>
    /// Replaces the CA with a new key and certificate. The old pair stays in place until the
    /// new one is durable; a crash at any instant leaves one whole pair.
    /// </summary>
    public static CertificateAuthority Rotate(string stateDir, TimeProvider time)
    {
        string directory = DirectoryOf(stateDir);
        using FileStream held = AcquireLock(directory);
        return CreateAndStore(directory, time);
    }

    /// <summary>The CA's subject, for this host: "CN=Egress Gateway Local Interception CA (host), O=egress-gateway".</summary>
    internal static X500DistinguishedName SubjectFor(string hostName)
    {
        const int MaxCommonName = 64; // RFC 5280 ub-common-name
        string commonName = $"Egress Gateway Local Interception CA ({hostName})";
        if (commonName.Length > MaxCommonName)
        {
            commonName = string.Concat(commonName.AsSpan(0, MaxCommonName - 1), ")");
        }

        var builder = new X500DistinguishedNameBuilder();
        builder.AddOrganizationName("egress-gateway");
        builder.AddCommonName(commonName);
        return builder.Build();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        PublicCertificate.Dispose();
        Certificate.Dispose();
        _key.Dispose();
    }

    private static CertificateAuthority CreateAndStore(string directory, TimeProvider time)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            var request = new CertificateRequest(SubjectFor(System.Net.Dns.GetHostName()), key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(
                certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(
                X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
            DateTimeOffset now = time.GetUtcNow();
            X509Certificate2 certificate = request.CreateSelfSigned(now - s_backdate, now + Lifetime);
            Store(directory, certificate, key);
            return new CertificateAuthority(certificate, key, directory, created: true);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static CertificateAuthority Load(string directory, TimeProvider time)
    {
        (X509Certificate2 certificate, ECDsa key) = ReadPair(directory);
        try
        {
            string certificatePath = Path.Combine(directory, CertificateFileName);
            DateTimeOffset now = time.GetUtcNow();
            if (now >= certificate.NotAfter.ToUniversalTime())
            {
                throw new CertificateAuthorityException(
                    $"{certificatePath}: the interception CA expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}; "
                    + "replace it with `gateway ca rotate` and give sandboxes the new one (`gateway ca export`)");
            }

            X509Certificate2 withKey = certificate.CopyWithPrivateKey(key);
            certificate.Dispose();
            return new CertificateAuthority(withKey, key, directory, created: false);
        }
        catch
        {
            certificate.Dispose();
            key.Dispose();
            throw;
        }
    }
}
