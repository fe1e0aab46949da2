using System.Runtime.CompilerServices;

namespace Gateway.Protocols;

/// <summary>Inline storage for the first ALPN protocol of a <see cref="ClientHello"/>.</summary>
[InlineArray(ClientHello.MaxAlpnProtocolLength)]
internal struct AlpnProtocolBuffer
{
    private byte _element0;
}
