using System.Net;

namespace Gateway.Decisions;

/// <summary>
/// What an entry point read and hands to <see cref="EgressDecider"/>: where it came from, on which
/// listener, the host as it was read (UTF-8 bytes off the wire, or text Kestrel parsed) and the
/// port, and the proxy token when the listener takes one. Lives on the stack; nothing is copied.
/// </summary>
internal ref struct EgressRequest
{
    /// <summary>The listener (<see cref="Listeners.ListenerKind"/>: forward, transparentTls, transparentHttp or dns).</summary>
    public string Listener;

    /// <summary>The client's address: it identifies the sandbox.</summary>
    public IPAddress? Remote;

    /// <summary>The host as read off the wire (CONNECT authority, SNI, DNS name), when <see cref="HostText"/> is null.</summary>
    public ReadOnlySpan<byte> Host;

    /// <summary>The host as Kestrel parsed it (absolute-form target, Host header); null when <see cref="Host"/> carries it.</summary>
    public string? HostText;

    /// <summary>The destination port.</summary>
    public int Port;

    /// <summary>For DNS: a second port the name may be allowed on instead (0: none).</summary>
    public int FallbackPort;

    /// <summary>True when the sandbox's proxy token must be presented (the forward listener).</summary>
    public bool CheckToken;

    /// <summary>The <c>Proxy-Authorization</c> value presented, when <see cref="CheckToken"/>.</summary>
    public ReadOnlySpan<byte> ProxyAuthorization;

    /// <summary>True when an allowed host may be terminated for injection or L7 rules (CONNECT, transparent TLS).</summary>
    public bool MayIntercept;

    /// <summary>True when the host must be a DNS name, not an IP literal (an SNI, RFC 6066 §3).</summary>
    public bool NameOnly;

    /// <summary>When the request arrived (<see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    public long Started;
}
