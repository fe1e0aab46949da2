using System.Net;
using Vmm.Network;

namespace Vmm.Tests;

public sealed class AddressBlockTests
{
    [Theory]
    [InlineData(0, "10.209.0.1", "10.209.0.2", "egw0")]
    [InlineData(1, "10.209.0.5", "10.209.0.6", "egw1")]
    [InlineData(64, "10.209.1.1", "10.209.1.2", "egw64")]
    [InlineData(16383, "10.209.255.253", "10.209.255.254", "egw16383")]
    public void Block_HasTheHostEndFirstAndTheSandboxSecond(int index, string hostEnd, string sandbox, string iface)
    {
        var block = new AddressBlock(index);

        Assert.Equal(IPAddress.Parse(hostEnd), block.HostAddress);
        Assert.Equal(IPAddress.Parse(sandbox), block.SandboxAddress);
        Assert.Equal(iface, block.InterfaceName);
        Assert.True(block.InterfaceName.Length <= 15);
        Assert.True(AddressBlock.TryOf(block.SandboxAddress, out AddressBlock back));
        Assert.Equal(block, back);
    }

    [Theory]
    [InlineData("egw0", true)]
    [InlineData("egw16383", true)]
    [InlineData("egw16384", false)]
    [InlineData("egw01", false)]
    [InlineData("egw", false)]
    [InlineData("egw-1", false)]
    [InlineData("eth0", false)]
    public void TryParseInterface_AcceptsOnlyNamesVmmMakes(string name, bool expected)
    {
        Assert.Equal(expected, AddressBlock.TryParseInterface(name, out AddressBlock block));
        if (expected)
        {
            Assert.Equal(name, block.InterfaceName);
        }
    }

    [Theory]
    [InlineData("10.208.0.1")]
    [InlineData("10.210.0.1")]
    [InlineData("::1")]
    public void TryOf_RefusesAddressesOutside10_209(string address) =>
        Assert.False(AddressBlock.TryOf(IPAddress.Parse(address), out _));
}
