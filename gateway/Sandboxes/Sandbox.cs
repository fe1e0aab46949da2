using System.Collections.Immutable;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Sandboxes;

/// <summary>A sandbox as the data path sees it: its name, source addresses, kits and optional proxy token.</summary>
internal sealed record Sandbox
{
    public Sandbox(string name, ImmutableArray<IPAddress> addresses, ImmutableArray<string> kits, string? token, bool registered)
    {
        Name = name;
        Addresses = addresses;
        Kits = kits;
        Token = token;
        Registered = registered;
        ExpectedAuthorization = token is null ? null : Encoding.ASCII.GetBytes("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(name + ":" + token)));
    }

    /// <summary>Unregistered clients on loopback: the host itself, with no kits.</summary>
    public static Sandbox Host { get; } = new("host", [], [], null, registered: false);

    /// <summary>Stands for an address no sandbox owns, in audit events of what it was refused.</summary>
    public static Sandbox Unknown { get; } = new("unknown", [], [], null, registered: false);

    public string Name { get; }

    public ImmutableArray<IPAddress> Addresses { get; }

    public ImmutableArray<string> Kits { get; }

    public string? Token { get; }

    /// <summary>True when registered at run time (admin API), false for config sandboxes and "host".</summary>
    public bool Registered { get; }

    /// <summary>The exact Proxy-Authorization value the sandbox must send, when it has a token.</summary>
    public byte[]? ExpectedAuthorization { get; }

    /// <summary>
    /// Checks a Proxy-Authorization value in constant time, so a client on a shared network
    /// cannot learn the token byte by byte from response timing.
    /// </summary>
    public bool Authorizes(ReadOnlySpan<byte> proxyAuthorization) =>
        ExpectedAuthorization is null || CryptographicOperations.FixedTimeEquals(proxyAuthorization, ExpectedAuthorization);

    // Records print every member; a sandbox logged anywhere must not carry its token.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Name = ").Append(Name)
            .Append(", Addresses = [").AppendJoin(", ", Addresses).Append(']')
            .Append(", Kits = [").AppendJoin(", ", Kits).Append(']')
            .Append(", Token = ").Append(Token is null ? "null" : "***");
        return true;
    }
}
