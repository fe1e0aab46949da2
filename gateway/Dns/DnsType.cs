namespace Gateway.Dns;

/// <summary>The record types and class the resolver reads or writes (RFC 1035 §3.2.2, RFC 3596, RFC 6891).</summary>
internal static class DnsType
{
    public const ushort A = 1;
    public const ushort Ns = 2;
    public const ushort Soa = 6;
    public const ushort Aaaa = 28;
    public const ushort Opt = 41;
    public const ushort ClassIn = 1;
}
