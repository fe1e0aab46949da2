using System.Collections.Immutable;
using System.Net;
using Gateway.Configuration;
using Gateway.Dialing;

namespace Gateway.Tests.Dialing;

// AddressClass is internal, so theories take it as object. Pure classification: no test here opens a socket, so any address may appear.
public class EgressGuardTests
{
    [Theory]
    // IPv4: public
    [InlineData("1.1.1.1", AddressClass.Public)]
    [InlineData("8.8.8.8", AddressClass.Public)]
    [InlineData("9.255.255.255", AddressClass.Public)]
    [InlineData("11.0.0.0", AddressClass.Public)]
    [InlineData("100.63.255.255", AddressClass.Public)]
    [InlineData("100.128.0.0", AddressClass.Public)]
    [InlineData("126.255.255.255", AddressClass.Public)]
    [InlineData("128.0.0.0", AddressClass.Public)]
    [InlineData("169.253.255.255", AddressClass.Public)]
    [InlineData("169.255.0.0", AddressClass.Public)]
    [InlineData("172.15.255.255", AddressClass.Public)]
    [InlineData("172.32.0.0", AddressClass.Public)]
    [InlineData("192.0.1.0", AddressClass.Public)]
    [InlineData("192.88.98.255", AddressClass.Public)]
    [InlineData("192.167.255.255", AddressClass.Public)]
    [InlineData("192.169.0.0", AddressClass.Public)]
    [InlineData("198.17.255.255", AddressClass.Public)]
    [InlineData("198.20.0.0", AddressClass.Public)]
    [InlineData("223.255.255.255", AddressClass.Public)]
    // IPv4: unspecified, loopback, private, link-local, CGNAT
    [InlineData("0.0.0.0", AddressClass.Unspecified)]
    [InlineData("0.1.2.3", AddressClass.Unspecified)]
    [InlineData("0.255.255.255", AddressClass.Unspecified)]
    [InlineData("127.0.0.1", AddressClass.Loopback)]
    [InlineData("127.0.0.0", AddressClass.Loopback)]
    [InlineData("127.255.255.255", AddressClass.Loopback)]
    [InlineData("10.0.0.0", AddressClass.Private)]
    [InlineData("10.255.255.255", AddressClass.Private)]
    [InlineData("172.16.0.0", AddressClass.Private)]
    [InlineData("172.31.255.255", AddressClass.Private)]
    [InlineData("192.168.0.1", AddressClass.Private)]
    [InlineData("192.168.255.255", AddressClass.Private)]
    [InlineData("169.254.0.1", AddressClass.LinkLocal)]
    [InlineData("169.254.169.253", AddressClass.LinkLocal)]
    [InlineData("169.254.255.255", AddressClass.LinkLocal)]
    [InlineData("100.64.0.0", AddressClass.CarrierGradeNat)]
    [InlineData("100.127.255.255", AddressClass.CarrierGradeNat)]
    // IPv4: metadata services
    [InlineData("169.254.169.254", AddressClass.Metadata)]
    [InlineData("169.254.170.2", AddressClass.Metadata)]
    [InlineData("169.254.170.23", AddressClass.Metadata)]
    [InlineData("100.100.100.200", AddressClass.Metadata)]
    [InlineData("192.0.0.192", AddressClass.Metadata)]
    // IPv4: multicast, broadcast, reserved
    [InlineData("224.0.0.1", AddressClass.Multicast)]
    [InlineData("239.255.255.255", AddressClass.Multicast)]
    [InlineData("255.255.255.255", AddressClass.Broadcast)]
    [InlineData("240.0.0.1", AddressClass.Reserved)]
    [InlineData("255.255.255.254", AddressClass.Reserved)]
    [InlineData("192.0.0.1", AddressClass.Reserved)]
    [InlineData("192.0.0.9", AddressClass.Reserved)]
    [InlineData("192.0.2.1", AddressClass.Reserved)]
    [InlineData("198.51.100.7", AddressClass.Reserved)]
    [InlineData("203.0.113.255", AddressClass.Reserved)]
    [InlineData("198.18.0.0", AddressClass.Reserved)]
    [InlineData("198.19.255.255", AddressClass.Reserved)]
    [InlineData("192.88.99.1", AddressClass.Reserved)]
    // IPv6: plain
    [InlineData("2606:4700:4700::1111", AddressClass.Public)]
    [InlineData("2a00:1450:4001:80b::200e", AddressClass.Public)]
    [InlineData("2001:4860:4860::8888", AddressClass.Public)]
    [InlineData("3ffe::1", AddressClass.Public)]
    [InlineData("::", AddressClass.Unspecified)]
    [InlineData("::1", AddressClass.Loopback)]
    [InlineData("fc00::1", AddressClass.Private)]
    [InlineData("fd12:3456:789a::1", AddressClass.Private)]
    [InlineData("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", AddressClass.Private)]
    [InlineData("fec0::1", AddressClass.Private)]
    [InlineData("fe80::1", AddressClass.LinkLocal)]
    [InlineData("febf:ffff::1", AddressClass.LinkLocal)]
    [InlineData("fd00:ec2::254", AddressClass.Metadata)]
    [InlineData("fd00:ec2::23", AddressClass.Metadata)]
    [InlineData("fd00:ec2::253", AddressClass.Private)]
    [InlineData("ff02::1", AddressClass.Multicast)]
    [InlineData("ff0e::1", AddressClass.Multicast)]
    [InlineData("2001:db8::1", AddressClass.Reserved)]
    [InlineData("3fff::1", AddressClass.Reserved)]
    [InlineData("3fff:fff::1", AddressClass.Reserved)]
    [InlineData("2001:2::1", AddressClass.Reserved)]
    [InlineData("2001:10::1", AddressClass.Reserved)]
    [InlineData("2001:1ff::1", AddressClass.Reserved)]
    [InlineData("100::1", AddressClass.Reserved)]
    [InlineData("::1:0:0:1", AddressClass.Reserved)]
    [InlineData("4000::1", AddressClass.Reserved)]
    [InlineData("1::1", AddressClass.Reserved)]
    [InlineData("64:ff9a::1", AddressClass.Reserved)]
    // IPv4-mapped ::ffff:0:0/96: the same host as the IPv4
    [InlineData("::ffff:8.8.8.8", AddressClass.Public)]
    [InlineData("::ffff:127.0.0.1", AddressClass.Loopback)]
    [InlineData("::ffff:10.0.0.1", AddressClass.Private)]
    [InlineData("::ffff:169.254.169.254", AddressClass.Metadata)]
    [InlineData("::ffff:100.64.0.1", AddressClass.CarrierGradeNat)]
    [InlineData("::ffff:0.0.0.0", AddressClass.Unspecified)]
    [InlineData("::ffff:224.0.0.1", AddressClass.Multicast)]
    // IPv4-compatible ::/96 (deprecated) and IPv4-translated ::ffff:0:0:0/96: never public
    [InlineData("::127.0.0.1", AddressClass.Loopback)]
    [InlineData("::10.0.0.1", AddressClass.Private)]
    [InlineData("::169.254.169.254", AddressClass.Metadata)]
    [InlineData("::8.8.8.8", AddressClass.Reserved)]
    [InlineData("::0.0.0.2", AddressClass.Unspecified)]
    [InlineData("::ffff:0:10.0.0.1", AddressClass.Private)]
    [InlineData("::ffff:0:8.8.8.8", AddressClass.Reserved)]
    // NAT64 64:ff9b::/96 (RFC 6052)
    [InlineData("64:ff9b::8.8.8.8", AddressClass.Public)]
    [InlineData("64:ff9b::127.0.0.1", AddressClass.Loopback)]
    [InlineData("64:ff9b::10.1.2.3", AddressClass.Private)]
    [InlineData("64:ff9b::169.254.169.254", AddressClass.Metadata)]
    [InlineData("64:ff9b::100.100.100.200", AddressClass.Metadata)]
    [InlineData("64:ff9b::192.168.1.1", AddressClass.Private)]
    [InlineData("64:ff9b::1:8.8.8.8", AddressClass.Reserved)]
    // Local-use NAT64 64:ff9b:1::/48 (RFC 8215): embedded class if internal, never public
    [InlineData("64:ff9b:1::10.0.0.1", AddressClass.Private)]
    [InlineData("64:ff9b:1::169.254.169.254", AddressClass.Metadata)]
    [InlineData("64:ff9b:1::8.8.8.8", AddressClass.Reserved)]
    // 6to4 2002::/16 (RFC 3056): IPv4 in bits 16-47
    [InlineData("2002:0808:0808::1", AddressClass.Public)]
    [InlineData("2002:7f00:0001::", AddressClass.Loopback)]
    [InlineData("2002:a00:1::1", AddressClass.Private)]
    [InlineData("2002:a9fe:a9fe::", AddressClass.Metadata)]
    [InlineData("2002:c0a8:0101::1", AddressClass.Private)]
    [InlineData("2002::", AddressClass.Unspecified)]
    // Teredo 2001::/32 (RFC 4380): server IPv4 in bits 32-63, client IPv4 inverted in the last 32
    [InlineData("2001:0:4136:e378:8000:63bf:f7f7:f7f7", AddressClass.Public)]      // server 65.54.227.120, client 8.8.8.8
    [InlineData("2001:0:4136:e378:8000:63bf:80ff:fffe", AddressClass.Loopback)]    // client 127.0.0.1
    [InlineData("2001:0:4136:e378:8000:63bf:f5ff:fffe", AddressClass.Private)]     // client 10.0.0.1
    [InlineData("2001:0:4136:e378:8000:63bf:5601:5601", AddressClass.Metadata)]    // client 169.254.169.254
    [InlineData("2001:0:a00:1:8000:63bf:f7f7:f7f7", AddressClass.Private)]         // server 10.0.0.1
    public void Classify_GivesTheClassOfEveryFamily(string text, object expected) =>
        Assert.Equal((AddressClass)expected, EgressGuard.Classify(IPAddress.Parse(text)));

    [Fact]
    public void Classify_IgnoresTheScopeId() =>
        Assert.Equal(AddressClass.LinkLocal, EgressGuard.Classify(IPAddress.Parse("fe80::1%2")));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("64:ff9b::8.8.8.8")]
    [InlineData("2002:0808:0808::1")]
    public void Check_PublicAddress_IsAllowedWithNothingOpened(string text) =>
        Assert.Equal(EgressError.None, Guard().Check(IPAddress.Parse(text), DialPermissions.None));

    [Theory]
    [InlineData("127.0.0.1", AddressClass.Loopback)]
    [InlineData("::1", AddressClass.Loopback)]
    [InlineData("10.0.0.1", AddressClass.Private)]
    [InlineData("fd00::1", AddressClass.Private)]
    [InlineData("169.254.1.1", AddressClass.LinkLocal)]
    [InlineData("100.64.0.1", AddressClass.CarrierGradeNat)]
    [InlineData("169.254.169.254", AddressClass.Metadata)]
    [InlineData("fd00:ec2::254", AddressClass.Metadata)]
    [InlineData("::ffff:169.254.169.254", AddressClass.Metadata)]
    [InlineData("64:ff9b::a9fe:a9fe", AddressClass.Metadata)]
    [InlineData("2002:a9fe:a9fe::1", AddressClass.Metadata)]
    [InlineData("203.0.113.9", AddressClass.Reserved)]
    [InlineData("0.0.0.0", AddressClass.Unspecified)]
    public void Check_NonPublicAddress_IsRefusedWithNothingOpened(string text, object expected)
    {
        Assert.Equal(EgressError.RefusedAddress, Guard().Check(IPAddress.Parse(text), DialPermissions.None, out AddressClass actual));
        Assert.Equal((AddressClass)expected, actual);
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.1.2.3", true)]
    [InlineData("10.0.0.0/8", "::ffff:10.1.2.3", true)]
    [InlineData("10.0.0.0/8", "10.255.255.255", true)]
    [InlineData("10.0.0.0/8", "172.16.0.1", false)]
    [InlineData("10.0.0.0/8", "127.0.0.1", false)]
    [InlineData("10.0.0.0/8", "64:ff9b::10.1.2.3", false)]
    [InlineData("10.0.0.0/8", "2002:a01:203::", false)]
    [InlineData("10.210.0.0/16", "10.210.7.7", true)]
    [InlineData("10.210.0.0/16", "10.211.0.1", false)]
    [InlineData("127.0.0.0/8", "127.0.0.1", true)]
    [InlineData("127.0.0.0/8", "::1", false)]
    [InlineData("169.254.169.254/32", "169.254.169.254", true)]
    [InlineData("169.254.169.254/32", "169.254.169.253", false)]
    [InlineData("fd00:1::/64", "fd00:1::5", true)]
    [InlineData("fd00:1::/64", "fd00:2::5", false)]
    [InlineData("fd00:1::/64", "10.0.0.1", false)]
    [InlineData("::/0", "fd00::1", true)]
    [InlineData("::/0", "::ffff:10.0.0.1", false)]
    [InlineData("::/0", "10.0.0.1", false)]
    [InlineData("0.0.0.0/0", "192.168.1.1", true)]
    [InlineData("0.0.0.0/0", "fd00::1", false)]
    [InlineData("::ffff:10.0.0.0/104", "10.9.9.9", true)]
    [InlineData("64:ff9b::/96", "64:ff9b::10.0.0.1", true)]
    public void Check_AllowCidrs_OpensExactlyItsRange(string cidr, string address, bool allowed)
    {
        EgressGuard guard = Guard(cidr);
        Assert.Equal(allowed ? EgressError.None : EgressError.RefusedAddress, guard.Check(IPAddress.Parse(address), DialPermissions.None));
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("::")]
    [InlineData("224.0.0.1")]
    [InlineData("ff02::1")]
    [InlineData("255.255.255.255")]
    [InlineData("::ffff:0.0.0.0")]
    public void Check_UnspecifiedMulticastBroadcast_AreNeverOpened(string text)
    {
        IPAddress address = IPAddress.Parse(text);
        EgressGuard guard = Guard("0.0.0.0/0", "::/0");
        Assert.Equal(EgressError.RefusedAddress, guard.Check(address, DialPermissions.None));
        Assert.Equal(EgressError.RefusedAddress, guard.Check(address, new DialPermissions(address, localhostRule: true)));
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.1", "::ffff:127.0.0.1", true)]
    [InlineData("127.0.0.1", "127.0.0.2", false)]
    [InlineData("127.0.0.1", "::1", false)]
    [InlineData("169.254.169.254", "169.254.169.254", true)]
    [InlineData("169.254.169.254", "169.254.169.253", false)]
    [InlineData("10.0.0.5", "10.0.0.5", true)]
    [InlineData("10.0.0.5", "10.0.0.6", false)]
    [InlineData("fd00::5", "fd00::5", true)]
    [InlineData("fd00::5", "fd00::6", false)]
    [InlineData("fe80::1", "fe80::1%3", true)]
    public void Check_ExactAddressRule_OpensThatAddressOnly(string rule, string address, bool allowed)
    {
        var permissions = new DialPermissions(IPAddress.Parse(rule), localhostRule: false);
        Assert.Equal(allowed ? EgressError.None : EgressError.RefusedAddress, Guard().Check(IPAddress.Parse(address), permissions));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.45.6.7", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("fd00:ec2::254", false)]
    [InlineData("fe80::1", false)]
    public void Check_LocalhostRule_OpensLoopbackOnly(string address, bool allowed)
    {
        var permissions = new DialPermissions(null, localhostRule: true);
        Assert.Equal(allowed ? EgressError.None : EgressError.RefusedAddress, Guard().Check(IPAddress.Parse(address), permissions));
    }

    private static EgressGuard Guard(params string[] cidrs) =>
        new(new EgressConfig([.. cidrs.Select(IPNetwork.Parse)]));
}
