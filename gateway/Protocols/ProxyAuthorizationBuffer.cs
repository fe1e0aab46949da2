using System.Runtime.CompilerServices;

namespace Gateway.Protocols;

/// <summary>Inline storage for the Proxy-Authorization value of a <see cref="ConnectHead"/>.</summary>
[InlineArray(ConnectHead.MaxProxyAuthorizationLength)]
internal struct ProxyAuthorizationBuffer
{
    private byte _element0;
}
