using System.Runtime.CompilerServices;

namespace Gateway.Protocols;

/// <summary>Inline storage for the server name of a <see cref="ClientHello"/>.</summary>
[InlineArray(ClientHello.MaxServerNameLength)]
internal struct ServerNameBuffer
{
    private byte _element0;
}
