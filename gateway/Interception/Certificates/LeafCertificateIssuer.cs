using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Interception.Certificates;

/// <summary>
/// Mints the certificate the gateway presents for one host: signed by the interception CA,
/// for that exact name (a dNSName, or an iPAddress for an IP literal), serverAuth only, valid
/// for <see cref="Lifetime"/>. Every leaf carries the same ECDSA P-256 public key, so a mint
/// is one signature, never a key generation.
/// </summary>
internal sealed class LeafCertificateIssuer
{
    /// <summary>How long a leaf is valid after it is minted (plus <see cref="Backdate"/> before).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>How far a leaf's notBefore lies in the past, for sandboxes whose clock lags the host's.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    /// <summary>How long before notAfter the cache replaces a leaf, so no handshake presents one about to expire.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromHours(12);

    private const int MaxCommonName = 64; // RFC 5280 ub-common-name

    private static readonly X509BasicConstraintsExtension s_endEntity = new(
        certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true);

    private static readonly X509KeyUsageExtension s_keyUsage = new(X509KeyUsageFlags.DigitalSignature, critical: true);

    private static readonly X509EnhancedKeyUsageExtension s_serverAuth = new(
        [new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false);

    private static readonly X500DistinguishedName s_emptySubject = new([0x30, 0x00]);

    private readonly ECDsa _leafKey;
    private readonly PublicKey _leafPublicKey;

    // X509SignatureGenerator promises no thread safety; a mint is rare enough to serialise its signature.
    private readonly Lock _signing = new();

    /// <summary>An issuer for <paramref name="authority"/> whose leaves all carry <paramref name="leafKey"/>.</summary>
    public LeafCertificateIssuer(CertificateAuthority authority, ECDsa leafKey)
    {
        Authority = authority;
        _leafKey = leafKey;
        _leafPublicKey = new PublicKey(leafKey);
    }

    /// <summary>
    /// A new P-256 key for leaves. On Linux an <see cref="ECDsaOpenSsl"/>: CopyWithPrivateKey then
    /// shares its OpenSSL handle instead of exporting and re-importing the private key per mint
    /// (measured: 170 µs → 38 µs of CPU per leaf).
    /// </summary>
    public static ECDsa CreateLeafKey() => OperatingSystem.IsLinux()
        ? new ECDsaOpenSsl(ECCurve.NamedCurves.nistP256)
        : ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The CA the leaves chain to.</summary>
    public CertificateAuthority Authority { get; }

    /// <summary>Mints a leaf for <paramref name="host"/> (canonical DNS name, or IP literal without brackets).</summary>
    public MintedLeaf Mint(string host, DateTimeOffset now)
    {
        bool isAddress = TryParseAddress(host, out IPAddress? address);
        var names = new SubjectAlternativeNameBuilder();
        if (isAddress)
        {
            names.AddIpAddress(address!);
        }
        else
        {
            names.AddDnsName(host);
        }

        // RFC 5280 §4.2.1.6: with an empty subject the SAN extension must be critical.
        bool named = !isAddress && host.Length <= MaxCommonName;
        X500DistinguishedName subject = named ? new X500DistinguishedName("CN=" + host) : s_emptySubject;
        var request = new CertificateRequest(subject, _leafPublicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(s_endEntity);
        request.CertificateExtensions.Add(s_keyUsage);
        request.CertificateExtensions.Add(s_serverAuth);
        request.CertificateExtensions.Add(names.Build(critical: !named));
        request.CertificateExtensions.Add(Authority.AuthorityKeyIdentifier);

        DateTimeOffset notBefore = now - Backdate;
        DateTimeOffset notAfter = now + Lifetime;
        DateTimeOffset caNotAfter = Authority.Certificate.NotAfter.ToUniversalTime();
        if (notAfter > caNotAfter)
        {
            notAfter = caNotAfter;
        }

        Span<byte> serial = stackalloc byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40); // positive, and no leading zero to strip (RFC 5280 §4.1.2.2)

        X509Certificate2 unsigned;
        lock (_signing)
        {
            unsigned = request.Create(Authority.Name, Authority.Signer, notBefore, notAfter, serial);
        }

        X509Certificate2 leaf;
        using (unsigned)
        {
            leaf = unsigned.CopyWithPrivateKey(_leafKey);
        }

        SslStreamCertificateContext context = LeafCertificateContext.Create(leaf);
        DateTimeOffset renewAt = notAfter - RenewBefore;
        return new MintedLeaf(leaf, context, renewAt > now ? renewAt : notAfter);
    }

    // IPAddress.TryParse takes inet_aton forms ("1" is 0.0.0.1): a v4 literal counts only when it
    // is the dotted quad itself, so a leaf never names an address the decided host did not.
    private static bool TryParseAddress(string host, out IPAddress? address)
    {
        if (!IPAddress.TryParse(host, out address))
        {
            return false;
        }

        return host.Contains(':', StringComparison.Ordinal) || address.ToString() == host;
    }
}
