using System.Buffers;
using System.Buffers.Binary;

namespace Gateway.Protocols;

internal static partial class ClientHelloReader
{
    private const int RandomLength = 32;
    private const int MaxSessionIdLength = 32;
    private const ushort ExtensionServerName = 0;
    private const ushort ExtensionAlpn = 16;
    private const byte NameTypeHostName = 0;

    // What may not appear in a host_name (RFC 6066 §3: ASCII, no trailing NUL): CTL, DEL and
    // every byte over 0x7F. The LDH rules are the canonicaliser's.
    private static readonly SearchValues<byte> s_serverNameForbidden = SearchValues.Create(ForbiddenNameBytes());

    // `body`: the ClientHello after its handshake header, exactly as long as that header says.
    //   legacy_version(2) random(32) session_id<0..32> cipher_suites<2..2^16-2>
    //   legacy_compression_methods<1..2^8-1> extensions<8..2^16-1>   (RFC 8446 §4.1.2)
    private static ClientHelloStatus ReadHello(ReadOnlySpan<byte> body, ref ClientHello hello, out ClientHelloRejection rejection)
    {
        rejection = ReadHelloFields(body, ref hello);
        return rejection == ClientHelloRejection.None ? ClientHelloStatus.Complete : ClientHelloStatus.Rejected;
    }

    private static ClientHelloRejection ReadHelloFields(ReadOnlySpan<byte> body, ref ClientHello hello)
    {
        if (body.Length < 2 + RandomLength + 1)
        {
            return ClientHelloRejection.Malformed;
        }

        ushort version = BinaryPrimitives.ReadUInt16BigEndian(body);
        if (version < 0x0301)
        {
            return ClientHelloRejection.UnsupportedVersion;
        }

        if (version > 0x03FF)
        {
            return ClientHelloRejection.Malformed;
        }

        hello.SetLegacyVersion(version);
        body = body[(2 + RandomLength)..];

        int sessionIdLength = body[0];
        if (sessionIdLength > MaxSessionIdLength || body.Length < 1 + sessionIdLength + 2)
        {
            return ClientHelloRejection.Malformed;
        }

        body = body[(1 + sessionIdLength)..];
        int cipherSuitesLength = BinaryPrimitives.ReadUInt16BigEndian(body);
        if (cipherSuitesLength < 2 || (cipherSuitesLength & 1) != 0 || body.Length < 2 + cipherSuitesLength + 1)
        {
            return ClientHelloRejection.Malformed;
        }

        body = body[(2 + cipherSuitesLength)..];
        int compressionMethodsLength = body[0];
        if (compressionMethodsLength < 1 || body.Length < 1 + compressionMethodsLength)
        {
            return ClientHelloRejection.Malformed;
        }

        body = body[(1 + compressionMethodsLength)..];

        // A hello may end here (TLS 1.2 and older allow no extensions), but then it names no server.
        if (body.IsEmpty)
        {
            return ClientHelloRejection.NoServerName;
        }

        if (body.Length < 2 || BinaryPrimitives.ReadUInt16BigEndian(body) != body.Length - 2)
        {
            return ClientHelloRejection.Malformed;
        }

        return ReadExtensions(body[2..], ref hello);
    }

    // Extension extensions<…>: type(2) length(2) data, each inside the block.
    private static ClientHelloRejection ReadExtensions(ReadOnlySpan<byte> extensions, ref ClientHello hello)
    {
        bool serverName = false;
        while (!extensions.IsEmpty)
        {
            if (extensions.Length < 4)
            {
                return ClientHelloRejection.Malformed;
            }

            ushort type = BinaryPrimitives.ReadUInt16BigEndian(extensions);
            int length = BinaryPrimitives.ReadUInt16BigEndian(extensions[2..]);
            if (length > extensions.Length - 4)
            {
                return ClientHelloRejection.Malformed;
            }

            ReadOnlySpan<byte> data = extensions.Slice(4, length);
            extensions = extensions[(4 + length)..];
            ClientHelloRejection rejection = ClientHelloRejection.None;
            if (type == ExtensionServerName)
            {
                // RFC 8446 §4.2: no two extensions of one type; two names would leave the choice to us.
                rejection = serverName ? ClientHelloRejection.MultipleServerNames : ReadServerName(data, ref hello);
                serverName = true;
            }
            else if (type == ExtensionAlpn)
            {
                rejection = hello.HasAlpn ? ClientHelloRejection.Malformed : ReadAlpn(data, ref hello);
            }

            if (rejection != ClientHelloRejection.None)
            {
                return rejection;
            }
        }

        return serverName ? ClientHelloRejection.None : ClientHelloRejection.NoServerName;
    }

    // RFC 6066 §3: ServerNameList server_name_list<1..2^16-1>, each name_type(1) HostName<1..2^16-1>.
    private static ClientHelloRejection ReadServerName(ReadOnlySpan<byte> data, ref ClientHello hello)
    {
        if (data.Length < 2 || BinaryPrimitives.ReadUInt16BigEndian(data) != data.Length - 2 || data.Length == 2)
        {
            return ClientHelloRejection.Malformed;
        }

        ReadOnlySpan<byte> list = data[2..];
        if (!TryTakeServerName(ref list, out byte nameType, out ReadOnlySpan<byte> name))
        {
            return ClientHelloRejection.Malformed;
        }

        if (!list.IsEmpty)
        {
            // A second entry, well formed or not, is never ignored: RFC 6066 allows one name per type, we accept one name.
            return TryTakeServerName(ref list, out _, out _) ? ClientHelloRejection.MultipleServerNames : ClientHelloRejection.Malformed;
        }

        if (nameType != NameTypeHostName
            || name.IsEmpty
            || name.Length > ClientHello.MaxServerNameLength
            || name.ContainsAny(s_serverNameForbidden))
        {
            return ClientHelloRejection.BadServerName;
        }

        hello.SetServerName(name);
        return ClientHelloRejection.None;
    }

    private static bool TryTakeServerName(ref ReadOnlySpan<byte> list, out byte nameType, out ReadOnlySpan<byte> name)
    {
        nameType = 0;
        name = default;
        if (list.Length < 3)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(list[1..]);
        if (length > list.Length - 3)
        {
            return false;
        }

        nameType = list[0];
        name = list.Slice(3, length);
        list = list[(3 + length)..];
        return true;
    }

    // RFC 7301 §3.1: ProtocolNameList protocol_name_list<2..2^16-1>, each ProtocolName<1..2^8-1>.
    private static ClientHelloRejection ReadAlpn(ReadOnlySpan<byte> data, ref ClientHello hello)
    {
        if (data.Length < 2 || BinaryPrimitives.ReadUInt16BigEndian(data) != data.Length - 2 || data.Length == 2)
        {
            return ClientHelloRejection.Malformed;
        }

        ReadOnlySpan<byte> list = data[2..];
        ReadOnlySpan<byte> first = default;
        while (!list.IsEmpty)
        {
            int length = list[0];
            if (length == 0 || length > list.Length - 1)
            {
                return ClientHelloRejection.Malformed;
            }

            if (first.IsEmpty)
            {
                first = list.Slice(1, length);
            }

            list = list[(1 + length)..];
        }

        hello.SetFirstAlpnProtocol(first);
        return ClientHelloRejection.None;
    }

    private static byte[] ForbiddenNameBytes()
    {
        var bytes = new byte[0x20 + 1 + 0x80];
        for (int b = 0; b < 0x20; b++)
        {
            bytes[b] = (byte)b;
        }

        bytes[0x20] = 0x7F;
        for (int b = 0; b < 0x80; b++)
        {
            bytes[0x21 + b] = (byte)(0x80 + b);
        }

        return bytes;
    }
}
