using System.Net.Sockets;

namespace Gateway.Relay;

/// <summary>
/// A socket's descriptor number for one native call, with its <see cref="SafeSocketHandle"/>
/// referenced until <see cref="Dispose"/>: a socket disposed concurrently (Kestrel aborting the
/// connection, the relay resetting the upstream) keeps its number until the call returns, so the
/// call can never land on a descriptor the process reused meanwhile. Never held across an await:
/// that dispose would spin until it is released.
/// </summary>
internal readonly ref struct SocketDescriptor
{
    private readonly SafeSocketHandle _handle;

    /// <summary>References <paramref name="socket"/>'s handle.</summary>
    /// <exception cref="ObjectDisposedException">The socket is closed; nothing is held then.</exception>
    public SocketDescriptor(Socket socket)
    {
        SafeSocketHandle handle = socket.SafeHandle;
        bool referenced = false;
        handle.DangerousAddRef(ref referenced);
        _handle = handle;
        Value = (int)handle.DangerousGetHandle();
    }

    /// <summary>The descriptor number, valid until <see cref="Dispose"/>.</summary>
    public int Value { get; }

    /// <summary>Releases the reference.</summary>
    public void Dispose() => _handle.DangerousRelease();
}
