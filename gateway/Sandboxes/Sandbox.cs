using System.Collections.Immutable;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Sandboxes;

/// <summary>
/// A sandbox as the data path sees it: its name, source addresses, kits and, when it has a proxy
/// token, only the SHA-256 of the Proxy-Authorization value that token makes. The gateway never
/// needs the token back (vmm hands it to the sandbox), so neither memory nor <c>sandboxes.json</c>
/// keeps it. Tokens are long random strings (vmm: 24 random bytes; registration: at least 16
/// characters), so an unsalted digest cannot be reversed by guessing.
/// </summary>
internal sealed record Sandbox
{
    /// <summary>A sandbox; <paramref name="tokenDigest"/> is the hex digest of <see cref="DigestOf"/>, or null for no token.</summary>
    public Sandbox(string name, ImmutableArray<IPAddress> addresses, ImmutableArray<string> kits, string? tokenDigest, bool registered)
    {
        Name = name;
        Addresses = addresses;
        Kits = kits;
        TokenDigest = tokenDigest;
        Registered = registered;
        _digest = tokenDigest is null ? null : ParseDigest(tokenDigest);
    }

    private readonly byte[]? _digest;

    /// <summary>Unregistered clients on loopback: the host itself, with no kits.</summary>
    public static Sandbox Host { get; } = new("host", [], [], null, registered: false);

    /// <summary>Stands for an address no sandbox owns, in audit events of what it was refused.</summary>
    public static Sandbox Unknown { get; } = new("unknown", [], [], null, registered: false);

    public string Name { get; }

    public ImmutableArray<IPAddress> Addresses { get; }

    public ImmutableArray<string> Kits { get; }

    /// <summary>The hex SHA-256 of the expected Proxy-Authorization value, or null when the sandbox has no token.</summary>
    public string? TokenDigest { get; }

    /// <summary>True when the sandbox must present a proxy token.</summary>
    public bool HasToken => _digest is not null;

    /// <summary>True when registered at run time (admin API), false for config sandboxes and "host".</summary>
    public bool Registered { get; }

    /// <summary>
    /// The hex SHA-256 of the Proxy-Authorization value (<c>Basic base64(name:token)</c>) that
    /// <paramref name="token"/> makes for <paramref name="name"/>; null for no token.
    /// </summary>
    public static string? DigestOf(string name, string? token) => token is null
        ? null
        : Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(name + ":" + token)))));

    /// <summary>
    /// Checks a Proxy-Authorization value in constant time, so a client on a shared network
    /// cannot learn the token byte by byte from response timing: the presented value is hashed
    /// whole, and the two fixed-length digests are compared with <see cref="CryptographicOperations.FixedTimeEquals"/>.
    /// </summary>
    public bool Authorizes(ReadOnlySpan<byte> proxyAuthorization)
    {
        if (_digest is null)
        {
            return true;
        }

        Span<byte> presented = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(proxyAuthorization, presented);
        return CryptographicOperations.FixedTimeEquals(presented, _digest);
    }

    // A digest that is not 64 hex digits (a hand-edited file) matches no value: the sandbox is locked out, not opened.
    private static byte[] ParseDigest(string hex)
    {
        try
        {
            byte[] digest = Convert.FromHexString(hex);
            return digest.Length == SHA256.HashSizeInBytes ? digest : new byte[SHA256.HashSizeInBytes + 1];
        }
        catch (FormatException)
        {
            return new byte[SHA256.HashSizeInBytes + 1];
        }
    }

    // Records print every member; a sandbox logged anywhere must not carry its token.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Name = ").Append(Name)
            .Append(", Addresses = [").AppendJoin(", ", Addresses).Append(']')
            .Append(", Kits = [").AppendJoin(", ", Kits).Append(']')
            .Append(", Token = ").Append(HasToken ? "***" : "null");
        return true;
    }
}
