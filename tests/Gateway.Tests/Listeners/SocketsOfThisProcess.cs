using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Tests.Listeners;

/// <summary>
/// Finds a TCP socket this process holds (the gateway runs in the test process) by its two
/// endpoints, through <c>/proc/net/tcp</c> and <c>/proc/self/fd</c>, and reads an option of it,
/// whoever created it: Kestrel's transport, the dialer, or a transport of our own.
/// </summary>
internal static class SocketsOfThisProcess
{
    /// <summary>TCP_NODELAY of the IPv4 socket from <paramref name="local"/> to <paramref name="remote"/>; null when this process holds none.</summary>
    public static bool? NoDelayOf(IPEndPoint local, IPEndPoint remote)
    {
        string? inode = InodeOf(local, remote);
        if (inode is null)
        {
            return null;
        }

        string link = $"socket:[{inode}]";
        foreach (string fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            string? target = new FileInfo(fd).LinkTarget;
            if (target == link)
            {
                using var socket = new Socket(new SafeSocketHandle(nint.Parse(Path.GetFileName(fd), CultureInfo.InvariantCulture), ownsHandle: false));
                return socket.NoDelay;
            }
        }

        return null;
    }

    // /proc/net/tcp: "sl local_address rem_address st ... inode", addresses as the IPv4 word in
    // host byte order (hex) and the port (hex).
    private static string? InodeOf(IPEndPoint local, IPEndPoint remote)
    {
        string wantLocal = Encode(local);
        string wantRemote = Encode(remote);
        foreach (string line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 9 && fields[1] == wantLocal && fields[2] == wantRemote)
            {
                return fields[9];
            }
        }

        return null;
    }

    private static string Encode(IPEndPoint endPoint)
    {
        byte[] address = endPoint.Address.MapToIPv4().GetAddressBytes();
        uint word = BitConverter.ToUInt32(address);
        return string.Create(CultureInfo.InvariantCulture, $"{word:X8}:{endPoint.Port:X4}");
    }
}
