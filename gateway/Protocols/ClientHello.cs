using System.Diagnostics.CodeAnalysis;

namespace Gateway.Protocols;

/// <summary>
/// What <see cref="ClientHelloReader"/> keeps of a TLS ClientHello, copied into storage this
/// struct owns so the peeked bytes need not be held: the server name, the
/// <c>legacy_version</c> and the first ALPN protocol. Meaningful only after
/// <see cref="ClientHelloStatus.Complete"/>.
/// </summary>
/// <remarks>
/// A mutable struct (about 520 bytes) passed by <see langword="ref"/>, like
/// <see cref="ConnectHead"/>: the connection handler embeds it in per-connection state.
/// </remarks>
internal struct ClientHello
{
    /// <summary>The longest server name kept (RFC 1035 names are at most 253 bytes); a longer one is refused.</summary>
    public const int MaxServerNameLength = 255;

    /// <summary>The longest ALPN protocol name (RFC 7301 §3.1: a one-byte length).</summary>
    public const int MaxAlpnProtocolLength = 255;

    private ServerNameBuffer _serverName;
    private AlpnProtocolBuffer _alpnProtocol;
    private int _serverNameLength;
    private int _alpnProtocolLength;

    /// <summary>
    /// The one <c>host_name</c> of the server_name extension, as sent: 1–255 ASCII bytes
    /// without control bytes. Not canonicalised and not checked to be a DNS name: an IP
    /// literal (which RFC 6066 §3 forbids) or a trailing dot get through here and are the
    /// canonicaliser's to refuse.
    /// </summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<byte> ServerName => _serverName[.._serverNameLength];

    /// <summary>The ClientHello's <c>legacy_version</c>: 0x0303 for TLS 1.2 and 1.3 clients, 0x0301 or 0x0302 for older ones.</summary>
    public ushort LegacyVersion { readonly get; private set; }

    /// <summary>Whether the hello carried an application_layer_protocol_negotiation extension (RFC 7301).</summary>
    public bool HasAlpn { readonly get; private set; }

    /// <summary>The first protocol of the ALPN list (the client's preference), empty when <see cref="HasAlpn"/> is false.</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<byte> FirstAlpnProtocol => _alpnProtocol[.._alpnProtocolLength];

    /// <summary>Forgets the previous hello.</summary>
    public void Reset()
    {
        _serverNameLength = 0;
        _alpnProtocolLength = 0;
        LegacyVersion = 0;
        HasAlpn = false;
    }

    /// <summary>Keeps the ClientHello's legacy_version.</summary>
    internal void SetLegacyVersion(ushort version) => LegacyVersion = version;

    /// <summary>Keeps the server name; the reader has already checked its length.</summary>
    internal void SetServerName(ReadOnlySpan<byte> name)
    {
        if ((uint)name.Length > MaxServerNameLength)
        {
            ClientHelloReader.ThrowInvariant("the server name was not length-checked before it was kept");
        }

        name.CopyTo(_serverName);
        _serverNameLength = name.Length;
    }

    /// <summary>Keeps the first ALPN protocol (at most 255 bytes by its one-byte length).</summary>
    internal void SetFirstAlpnProtocol(ReadOnlySpan<byte> protocol)
    {
        if ((uint)protocol.Length > MaxAlpnProtocolLength)
        {
            ClientHelloReader.ThrowInvariant("an ALPN protocol longer than its one-byte length allows");
        }

        protocol.CopyTo(_alpnProtocol);
        _alpnProtocolLength = protocol.Length;
        HasAlpn = true;
    }
}
