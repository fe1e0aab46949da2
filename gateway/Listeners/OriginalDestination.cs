using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Gateway.Relay;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Gateway.Listeners;

/// <summary>
/// Where a connection redirected by nftables (`redirect to :15443`) was originally headed:
/// <c>getsockopt(SOL_IP, SO_ORIGINAL_DST)</c> on the accepted socket. Only its port is used: the
/// gateway dials the name it decided (SNI or Host), never the address the client aimed at.
/// </summary>
/// <remarks>
/// Called through libc rather than <see cref="Socket.GetRawSocketOption"/>: a connection that was
/// not redirected answers ENOENT, which the managed call turns into a thrown and caught
/// <see cref="SocketException"/> on every such connection (perf S5: about 20 CPU-µs each).
/// </remarks>
internal static partial class OriginalDestination
{
    public const string ItemKey = "gateway.originalPort";

    private const int SolIp = 0;
    private const int SolIpv6 = 41;
    private const int SoOriginalDst = 80; // also IP6T_SO_ORIGINAL_DST

    /// <summary>The original destination port, or null when the connection was not redirected.</summary>
    public static int? TryGetPort(ConnectionContext connection)
    {
        Socket? socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
        if (socket is null || !OperatingSystem.IsLinux())
        {
            return null;
        }

        Span<byte> address = stackalloc byte[28]; // sockaddr_in6, the larger of the two
        int length = Query(socket, socket.AddressFamily == AddressFamily.InterNetworkV6 ? SolIpv6 : SolIp, address);
        if (length < 4)
        {
            return null; // ENOENT: not redirected (a direct connection to the listener)
        }

        // sockaddr_in/in6: family (2 bytes), then the port in network order.
        int port = BinaryPrimitives.ReadUInt16BigEndian(address[2..]);
        var local = connection.LocalEndPoint as IPEndPoint;

        // Without a redirect some kernels answer with the listener's own address: not an original destination.
        return port == 0 || (local is not null && port == local.Port) ? null : port;
    }

    // Returns the length written, or -1 on any error (a socket closed meanwhile included).
    private static unsafe int Query(Socket socket, int level, Span<byte> address)
    {
        try
        {
            using var descriptor = new SocketDescriptor(socket);
            int length = address.Length;
            fixed (byte* value = address)
            {
                return GetSockOpt(descriptor.Value, level, SoOriginalDst, value, ref length) == 0 ? length : -1;
            }
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
    }

    [LibraryImport("libc", EntryPoint = "getsockopt")]
    private static unsafe partial int GetSockOpt(int socket, int level, int name, byte* value, ref int length);
}
