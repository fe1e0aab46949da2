using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Dialing;

/// <summary>
/// The SOCKS5 client's frames (RFC 1928 §3-§6, RFC 1929 §2) as pure functions over spans:
/// writers fill a caller's buffer and return the length, readers parse what has arrived so far
/// and say how much is still needed. Nothing here dials, allocates or reads past a frame, so
/// the bytes after the CONNECT reply (the upstream's first bytes) stay in the socket.
/// </summary>
internal static class Socks5Frames
{
    /// <summary>VER of every RFC 1928 frame.</summary>
    public const byte Version = 5;

    /// <summary>VER of the RFC 1929 sub-negotiation (not 5: a common bug in servers and clients).</summary>
    public const byte AuthVersion = 1;

    /// <summary>METHOD "NO AUTHENTICATION REQUIRED".</summary>
    public const byte NoAuthentication = 0x00;

    /// <summary>METHOD "USERNAME/PASSWORD" (RFC 1929).</summary>
    public const byte UsernamePassword = 0x02;

    /// <summary>METHOD "NO ACCEPTABLE METHODS": the server refuses every method offered.</summary>
    public const byte NoAcceptableMethods = 0xFF;

    /// <summary>RFC 1929: UNAME and PASSWD are 1-255 bytes each.</summary>
    public const int MaxCredentialLength = 255;

    /// <summary>The longest greeting: VER, NMETHODS and two methods.</summary>
    public const int MaxGreetingLength = 4;

    /// <summary>VER ULEN UNAME PLEN PASSWD at their longest.</summary>
    public const int MaxAuthRequestLength = 3 + (2 * MaxCredentialLength);

    /// <summary>VER CMD RSV ATYP, a 255-byte domain with its length, and the port: requests and replies alike.</summary>
    public const int MaxAddressFrameLength = 4 + 1 + 255 + 2;

    /// <summary>A reply is at least this long, so reading this much first never reads past it.</summary>
    public const int MinReplyLength = 5;

    private const byte ConnectCommand = 0x01;

    // The canonical host alphabet (HostCanonicalizer): what a decided name can consist of.
    private static readonly SearchValues<char> s_hostAlphabet = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-_.");
    private const byte AddressIPv4 = 0x01;
    private const byte AddressDomain = 0x03;
    private const byte AddressIPv6 = 0x04;

    /// <summary>
    /// Writes the method selection message (§3). Without a credential only "no authentication" is
    /// offered, so a proxy that insists on a password says so instead of being sent one.
    /// </summary>
    public static int WriteGreeting(Span<byte> destination, bool offerUsernamePassword)
    {
        if (offerUsernamePassword)
        {
            destination[3] = UsernamePassword;
            destination[2] = NoAuthentication;
            destination[1] = 2;
            destination[0] = Version;
            return 4;
        }

        destination[2] = NoAuthentication;
        destination[1] = 1;
        destination[0] = Version;
        return 3;
    }

    /// <summary>Reads the server's METHOD choice (§3): two bytes.</summary>
    public static Socks5ParseStatus TryReadMethodChoice(ReadOnlySpan<byte> input, out byte method, out Socks5Rejection rejection)
    {
        method = NoAcceptableMethods;
        rejection = Socks5Rejection.None;
        if (input.Length > 0 && input[0] != Version)
        {
            rejection = Socks5Rejection.WrongVersion;
            return Socks5ParseStatus.Malformed;
        }

        if (input.Length < 2)
        {
            return Socks5ParseStatus.Incomplete;
        }

        method = input[1];
        return Socks5ParseStatus.Complete;
    }

    /// <summary>
    /// Writes the RFC 1929 request. False, writing nothing, when a part is empty or longer than
    /// 255 bytes: the protocol cannot carry it, and truncating a secret would only fail later.
    /// </summary>
    public static bool TryWriteUsernamePassword(Span<byte> destination, ReadOnlySpan<byte> username, ReadOnlySpan<byte> password, out int written)
    {
        written = 0;
        if (username.Length is 0 or > MaxCredentialLength || password.Length is 0 or > MaxCredentialLength)
        {
            return false;
        }

        int length = 3 + username.Length + password.Length;
        Span<byte> frame = destination[..length];
        frame[0] = AuthVersion;
        frame[1] = (byte)username.Length;
        username.CopyTo(frame[2..]);
        frame[2 + username.Length] = (byte)password.Length;
        password.CopyTo(frame[(3 + username.Length)..]);
        written = length;
        return true;
    }

    /// <summary>Reads the RFC 1929 status: two bytes, STATUS 0 meaning success.</summary>
    public static Socks5ParseStatus TryReadAuthStatus(ReadOnlySpan<byte> input, out bool succeeded, out Socks5Rejection rejection)
    {
        succeeded = false;
        rejection = Socks5Rejection.None;
        if (input.Length > 0 && input[0] != AuthVersion)
        {
            rejection = Socks5Rejection.WrongAuthVersion;
            return Socks5ParseStatus.Malformed;
        }

        if (input.Length < 2)
        {
            return Socks5ParseStatus.Incomplete;
        }

        succeeded = input[1] == 0;
        return Socks5ParseStatus.Complete;
    }

    /// <summary>Writes a CONNECT request (§4) to an IPv4 (ATYP 1) or IPv6 (ATYP 4) address.</summary>
    public static int WriteConnect(Span<byte> destination, IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        bool v4 = address.AddressFamily == AddressFamily.InterNetwork;
        int addressLength = v4 ? 4 : 16;
        Span<byte> frame = destination[..(6 + addressLength)];
        frame[0] = Version;
        frame[1] = ConnectCommand;
        frame[2] = 0;
        frame[3] = v4 ? AddressIPv4 : AddressIPv6;
        if (!address.TryWriteBytes(frame.Slice(4, addressLength), out _))
        {
            throw new ArgumentException("not an IPv4 or IPv6 address", nameof(address));
        }

        BinaryPrimitives.WriteUInt16BigEndian(frame[(4 + addressLength)..], checked((ushort)port));
        return frame.Length;
    }

    /// <summary>
    /// Writes a CONNECT request (§4) for a host name (ATYP 3): the proxy resolves it on its own
    /// network. False, writing nothing, unless every character is in the canonical host alphabet
    /// (a-z, 0-9, '-', '_', '.') and the name is 1-255 bytes: whatever reached here was decided as
    /// a canonical name, and nothing else (a NUL, a space, a byte the proxy's resolver reads
    /// differently) may reach the wire in its place.
    /// </summary>
    public static bool TryWriteConnect(Span<byte> destination, ReadOnlySpan<char> host, int port, out int written)
    {
        written = 0;
        if (host.Length is 0 or > 255 || host.ContainsAnyExcept(s_hostAlphabet))
        {
            return false;
        }

        int length = 7 + host.Length;
        Span<byte> frame = destination[..length];
        Encoding.ASCII.GetBytes(host, frame.Slice(5, host.Length));
        frame[0] = Version;
        frame[1] = ConnectCommand;
        frame[2] = 0;
        frame[3] = AddressDomain;
        frame[4] = (byte)host.Length;
        BinaryPrimitives.WriteUInt16BigEndian(frame[(5 + host.Length)..], checked((ushort)port));
        written = length;
        return true;
    }

    /// <summary>
    /// Reads a CONNECT reply (§6): VER REP RSV ATYP BND.ADDR BND.PORT. On
    /// <see cref="Socks5ParseStatus.Incomplete"/>, <paramref name="length"/> is how many bytes the
    /// whole reply needs as far as is known yet (never more than it has), so a caller that reads
    /// exactly that much never consumes the upstream's first bytes; on
    /// <see cref="Socks5ParseStatus.Complete"/> it is the reply's length.
    /// </summary>
    public static Socks5ParseStatus TryReadReply(ReadOnlySpan<byte> input, out Socks5ReplyCode code, out int length, out Socks5Rejection rejection)
    {
        code = Socks5ReplyCode.GeneralFailure;
        rejection = Socks5Rejection.None;
        length = MinReplyLength;
        if (input.Length > 0 && input[0] != Version)
        {
            rejection = Socks5Rejection.WrongVersion;
            return Socks5ParseStatus.Malformed;
        }

        if (input.Length < 4)
        {
            return Socks5ParseStatus.Incomplete;
        }

        code = (Socks5ReplyCode)input[1];
        switch (input[3])
        {
            case AddressIPv4:
                length = 4 + 4 + 2;
                break;
            case AddressIPv6:
                length = 4 + 16 + 2;
                break;
            case AddressDomain:
                if (input.Length < 5)
                {
                    return Socks5ParseStatus.Incomplete;
                }

                if (input[4] == 0)
                {
                    rejection = Socks5Rejection.EmptyDomainName;
                    return Socks5ParseStatus.Malformed;
                }

                length = 4 + 1 + input[4] + 2;
                break;
            default:
                rejection = Socks5Rejection.UnknownAddressType;
                return Socks5ParseStatus.Malformed;
        }

        return input.Length < length ? Socks5ParseStatus.Incomplete : Socks5ParseStatus.Complete;
    }
}
