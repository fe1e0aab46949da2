using System.Runtime.CompilerServices;

namespace Gateway.Protocols;

/// <summary>Inline storage for the authority host of a <see cref="ConnectHead"/>.</summary>
[InlineArray(ConnectHead.MaxHostLength)]
internal struct ConnectHostBuffer
{
    private byte _element0;
}
