using System.Diagnostics.CodeAnalysis;

namespace Gateway.Protocols;

/// <summary>
/// What <see cref="ConnectRequestReader"/> keeps of a CONNECT head, copied into storage this
/// struct owns so the pipe's bytes can be released: the authority's host and port, the
/// HTTP minor version and the Proxy-Authorization value. Meaningful only after
/// <see cref="ConnectParseStatus.Complete"/>.
/// </summary>
/// <remarks>
/// A mutable struct (about 1.3 KiB) rather than a pooled class: it is passed by
/// <see langword="ref"/> and never copied, so the connection handler embeds it in the
/// per-connection state it already pools — no second pool, no indirection, no allocation.
/// Do not copy it: a copy duplicates the credential bytes.
/// </remarks>
internal struct ConnectHead
{
    /// <summary>The longest host kept, brackets of an IPv6 literal included (RFC 1035 names are at most 253).</summary>
    public const int MaxHostLength = 255;

    /// <summary>The longest Proxy-Authorization value kept; a longer one is refused, never truncated.</summary>
    public const int MaxProxyAuthorizationLength = 1024;

    private ConnectHostBuffer _host;
    private ProxyAuthorizationBuffer _proxyAuthorization;
    private int _hostLength;
    private int _proxyAuthorizationLength;

    /// <summary>
    /// The authority's host as sent: a reg-name, an IPv4 literal, or an IPv6 literal with its
    /// brackets. Not canonicalised; that is <c>HostCanonicalizer</c>'s job.
    /// </summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<byte> Host => _host[.._hostLength];

    /// <summary>The authority's port, 1–65535.</summary>
    public int Port { readonly get; private set; }

    /// <summary>The HTTP minor version of the request line: 1 for HTTP/1.1, 0 for HTTP/1.0.</summary>
    public int MinorVersion { readonly get; private set; }

    /// <summary>Whether the head carried a Host header (it then agrees with the authority).</summary>
    public bool HasHostHeader { readonly get; private set; }

    /// <summary>Whether the head carried a Proxy-Authorization header (its value may be empty).</summary>
    public bool HasProxyAuthorization { readonly get; private set; }

    /// <summary>The Proxy-Authorization value, leading and trailing whitespace removed.</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<byte> ProxyAuthorization => _proxyAuthorization[.._proxyAuthorizationLength];

    /// <summary>
    /// Forgets the previous head. The credential bytes it held are zeroed, so a pooled head
    /// does not carry one connection's secret into the next.
    /// </summary>
    public void Reset()
    {
        if (_proxyAuthorizationLength != 0)
        {
            ((Span<byte>)_proxyAuthorization)[.._proxyAuthorizationLength].Clear();
        }

        _hostLength = 0;
        _proxyAuthorizationLength = 0;
        Port = 0;
        MinorVersion = 0;
        HasHostHeader = false;
        HasProxyAuthorization = false;
    }

    /// <summary>Keeps the request line's parts; the reader has already checked the host's length.</summary>
    internal void SetRequestLine(ReadOnlySpan<byte> host, int port, int minorVersion)
    {
        if ((uint)host.Length > MaxHostLength)
        {
            ConnectRequestReader.ThrowInvariant("the host was not length-checked before it was kept");
        }

        host.CopyTo(_host);
        _hostLength = host.Length;
        Port = port;
        MinorVersion = minorVersion;
    }

    /// <summary>Notes that a Host header was seen.</summary>
    internal void MarkHostHeader() => HasHostHeader = true;

    /// <summary>Keeps <paramref name="value"/>; <see langword="false"/> when it is longer than <see cref="MaxProxyAuthorizationLength"/>.</summary>
    internal bool TrySetProxyAuthorization(ReadOnlySpan<byte> value)
    {
        if (!value.TryCopyTo(_proxyAuthorization))
        {
            return false;
        }

        _proxyAuthorizationLength = value.Length;
        HasProxyAuthorization = true;
        return true;
    }
}
