using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Gateway.Relay;

/// <summary>
/// splice(2) between a socket and a kernel pipe (Linux): the bytes of a passthrough tunnel move
/// socket → pipe → socket as page references, never copied into or out of the process.
/// </summary>
/// <remarks>
/// A socket's descriptor is used only inside one non-blocking call, through a
/// <see cref="SocketDescriptor"/> held for that call.
/// </remarks>
internal static partial class Splice
{
    /// <summary>Linux errno values (the same on x86-64 and arm64, the only architectures this runs on).</summary>
    public const int EAgain = 11;

    private const int EIntr = 4;
    private const int EPipe = 32;
    private const int EConnReset = 104;

    private const uint SpliceMove = 1;
    private const uint SpliceNonBlock = 2;
    private const int FGetFl = 3;
    private const int ONonBlock = 0x800;
    private const int OCloExec = 0x80000;

    /// <summary>True where splice(2) and these constants hold: Linux on x86-64 or arm64.</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux() &&
        RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>
    /// True when both sockets can be spliced without ever blocking a thread: .NET puts a socket's
    /// descriptor in non-blocking mode once it has been used asynchronously, which a connected
    /// upstream and a Kestrel connection always have been; anything else keeps the copying path.
    /// </summary>
    public static bool CanSplice(Socket upstream, Socket client) =>
        IsSupported && IsNonBlocking(upstream) && IsNonBlocking(client);

    /// <summary>Moves up to <paramref name="length"/> bytes from <paramref name="socket"/> into the pipe.</summary>
    /// <returns>Bytes moved; 0 at the socket's end of stream; <c>-errno</c> on failure (<c>-EAGAIN</c>: nothing to read now).</returns>
    public static nint FromSocket(Socket socket, int pipeWrite, int length)
    {
        using var descriptor = new SocketDescriptor(socket);
        return Retry(descriptor.Value, pipeWrite, length);
    }

    /// <summary>Moves up to <paramref name="length"/> bytes from the pipe into <paramref name="socket"/>.</summary>
    /// <returns>Bytes moved; <c>-errno</c> on failure (<c>-EAGAIN</c>: the socket's send buffer is full).</returns>
    public static nint ToSocket(int pipeRead, Socket socket, int length)
    {
        using var descriptor = new SocketDescriptor(socket);
        return Retry(pipeRead, descriptor.Value, length);
    }

    /// <summary>Reads exactly <paramref name="buffer"/>'s length from a pipe that holds at least that much.</summary>
    public static unsafe void ReadPipe(int pipeRead, Span<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            int done = 0;
            while (done < buffer.Length)
            {
                nint read = Read(pipeRead, start + done, (nuint)(buffer.Length - done));
                if (read > 0)
                {
                    done += (int)read;
                }
                else if (read == 0 || Marshal.GetLastPInvokeError() != EIntr)
                {
                    // The relay holds the write end and counted these bytes in: this is a bug, not the network.
                    throw new InvalidOperationException("The relay's kernel pipe held fewer bytes than were spliced into it.");
                }
            }
        }
    }

    /// <summary>A new non-blocking, close-on-exec pipe; false when the process is out of descriptors or pipe memory.</summary>
    public static unsafe bool TryCreatePipe(out KernelPipe pipe)
    {
        int* fds = stackalloc int[2];
        if (Pipe2(fds, ONonBlock | OCloExec) != 0)
        {
            pipe = default;
            return false;
        }

        pipe = new KernelPipe(fds[0], fds[1]);
        return true;
    }

    /// <summary>Closes a pipe (or any descriptor this class created).</summary>
    public static void Close(int fd) => _ = CloseFd(fd);

    /// <summary>The socket error a failed splice stands for, for the relay's end reason and log.</summary>
    [StackTraceHidden]
    public static SocketException Error(nint result) => new((int)((-result) switch
    {
        0 => SocketError.Shutdown, // a splice into a socket that moved nothing
        EConnReset => SocketError.ConnectionReset,
        EPipe => SocketError.Shutdown,
        EAgain => SocketError.WouldBlock,
        _ => SocketError.SocketError,
    }));

    private static bool IsNonBlocking(Socket socket)
    {
        try
        {
            using var descriptor = new SocketDescriptor(socket);
            int flags = Fcntl(descriptor.Value, FGetFl, 0);
            return flags >= 0 && (flags & ONonBlock) != 0;
        }
        catch (ObjectDisposedException)
        {
            // A client that reset between the decision and the relay: its socket is already closed.
            // The copying path then sees the end of stream like any other closed connection.
            return false;
        }
    }

    private static nint Retry(int from, int to, int length)
    {
        while (true)
        {
            nint moved = SpliceFd(from, 0, to, 0, (nuint)length, SpliceMove | SpliceNonBlock);
            if (moved >= 0)
            {
                return moved;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != EIntr)
            {
                return -errno;
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "splice", SetLastError = true)]
    private static partial nint SpliceFd(int fdIn, nint offIn, int fdOut, nint offOut, nuint length, uint flags);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static unsafe partial int Pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseFd(int fd);
}
