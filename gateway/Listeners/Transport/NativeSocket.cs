using System.Net.Sockets;
using System.Runtime.InteropServices;
using Gateway.Relay;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Listeners.Transport;

/// <summary>
/// recv(2) and send(2) with <c>MSG_DONTWAIT</c> on a socket's descriptor (Linux): a call that can
/// never block the thread, whatever the managed <see cref="Socket.Blocking"/> says. The managed
/// synchronous calls would park the thread (the socket engine's, with inline completions) when the
/// kernel has nothing; these answer EAGAIN instead and the caller waits asynchronously.
/// </summary>
internal static partial class NativeSocket
{
    /// <summary>Linux errno values (x86-64 and arm64).</summary>
    public const int EAgain = 11;

    private const int EIntr = 4;
    private const int EPipe = 32;
    private const int EConnReset = 104;
    private const int ETimedOut = 110;
    private const int MsgDontWait = 0x40;
    private const int MsgNoSignal = 0x4000;

    /// <summary>Receives into <paramref name="buffer"/>.</summary>
    /// <returns>Bytes received; 0 at end of stream; <c>-errno</c> on failure (<c>-EAGAIN</c>: nothing now; <c>-EBADF</c> once closed).</returns>
    public static unsafe nint Receive(Socket socket, Span<byte> buffer)
    {
        SocketDescriptor descriptor;
        try
        {
            descriptor = new SocketDescriptor(socket);
        }
        catch (ObjectDisposedException)
        {
            return -9; // EBADF: the connection was closed meanwhile
        }

        using (descriptor)
        {
            fixed (byte* start = buffer)
            {
                while (true)
                {
                    nint received = Recv(descriptor.Value, start, (nuint)buffer.Length, MsgDontWait);
                    if (received >= 0)
                    {
                        return received;
                    }

                    int errno = Marshal.GetLastPInvokeError();
                    if (errno != EIntr)
                    {
                        return -errno;
                    }
                }
            }
        }
    }

    /// <summary>Sends as much of <paramref name="buffer"/> as the socket's send buffer takes now (never SIGPIPE).</summary>
    /// <returns>Bytes sent; <c>-errno</c> on failure (<c>-EAGAIN</c>: the send buffer is full).</returns>
    public static unsafe nint Send(Socket socket, ReadOnlySpan<byte> buffer)
    {
        SocketDescriptor descriptor;
        try
        {
            descriptor = new SocketDescriptor(socket);
        }
        catch (ObjectDisposedException)
        {
            return -9;
        }

        using (descriptor)
        {
            fixed (byte* start = buffer)
            {
                while (true)
                {
                    nint sent = SendFd(descriptor.Value, start, (nuint)buffer.Length, MsgDontWait | MsgNoSignal);
                    if (sent >= 0)
                    {
                        return sent;
                    }

                    int errno = Marshal.GetLastPInvokeError();
                    if (errno != EIntr)
                    {
                        return -errno;
                    }
                }
            }
        }
    }

    /// <summary>
    /// The exception a failed call stands for, as Kestrel's socket transport reports it: a reset
    /// (or a broken pipe, a timed-out peer) is a <see cref="ConnectionResetException"/>, which the
    /// listeners and Kestrel's HTTP stack log at Debug at most; anything else is an abort.
    /// </summary>
    public static Exception Error(nint result)
    {
        int errno = (int)-result;
        return errno is EConnReset or EPipe or ETimedOut
            ? new ConnectionResetException("Connection reset by peer", new SocketException(errno == ETimedOut ? (int)SocketError.TimedOut : (int)SocketError.ConnectionReset))
            : new ConnectionAbortedException("The connection was closed.", new SocketException((int)SocketError.SocketError));
    }

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static unsafe partial nint Recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static unsafe partial nint SendFd(int fd, byte* buffer, nuint length, int flags);
}
