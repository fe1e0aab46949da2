using System.Net.Sockets;

namespace Gateway.Relay;

/// <summary>
/// A client connection whose transport reads its socket only when its input is read (no receive
/// loop of its own), so that a relay may take the socket's reads over and splice the client →
/// upstream direction in the kernel too. The gateway's own transport offers it; Kestrel's does not.
/// </summary>
internal interface IClientSocketFeature
{
    /// <summary>The client's socket.</summary>
    Socket Socket { get; }

    /// <summary>
    /// From here on the transport never reads the socket: its input hands out only the bytes it
    /// already received (<c>TryRead</c>), then reports the end. The caller reads the socket itself.
    /// </summary>
    void StopReading();
}
