using Vmm.Microvm;

namespace Vmm.Tests.Microvm;

public sealed class AcceleratorChoiceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vmm-accel-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void NoKvmDevice_MeansTcg_SayingSo()
    {
        Accelerator chosen = Choose("flags : fpu vmx constant_tsc\n", device: Path.Combine(_directory, "missing"));

        Assert.Equal(Accelerator.Tcg, chosen.Name);
        Assert.Contains("does not exist", chosen.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void KvmDevice_OnACpuWithoutVmxOrSvm_MeansTcg_NamingParavirtualKvm()
    {
        Accelerator chosen = Choose("flags : fpu tsc constant_tsc hypervisor\n");

        Assert.Equal(Accelerator.Tcg, chosen.Name);
        Assert.Contains("no vmx/svm", chosen.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("flags : fpu vmx tsc\n")]
    [InlineData("flags : fpu tsc svm\n")]
    public void KvmDevice_OnACpuWithVirtualization_MeansKvm(string cpuInfo) =>
        Assert.Equal(Accelerator.Kvm, Choose(cpuInfo).Name);

    [Fact]
    public void RecordedKvmFailure_MeansTcg_UntilItsFileIsRemoved()
    {
        AcceleratorChoice.RecordKvmFailure(_directory, "the guest agent was not ready within 20 s");

        Accelerator chosen = Choose("flags : vmx\n");

        Assert.Equal(Accelerator.Tcg, chosen.Name);
        Assert.Contains("not ready within 20 s", chosen.Reason, StringComparison.Ordinal);
        File.Delete(Path.Combine(_directory, AcceleratorChoice.KvmVerdictFile));
        Assert.Equal(Accelerator.Kvm, Choose("flags : vmx\n").Name);
    }

    [Theory]
    [InlineData("cpu MHz\t\t: 2596.146\nflags\t\t: fpu tsc constant_tsc\n", 2596146L)]
    [InlineData("cpu MHz\t\t: 2596.146\nflags\t\t: fpu tsc\n", null)]
    [InlineData("flags\t\t: constant_tsc\n", null)]
    public void HostTsc_IsOnlyGiven_WhenTheCpuSaysItIsConstant(string cpuInfo, long? expected)
    {
        string path = Path.Combine(_directory, "cpuinfo");
        File.WriteAllText(path, cpuInfo);

        Assert.Equal(expected, AcceleratorChoice.HostTscKilohertz(path));
    }

    private Accelerator Choose(string cpuInfo, string? device = null)
    {
        string path = Path.Combine(_directory, "cpuinfo");
        File.WriteAllText(path, cpuInfo);
        string kvm = device ?? Path.Combine(_directory, "kvm");
        if (device is null)
        {
            File.WriteAllText(kvm, string.Empty); // stands in for a device node that opens read-write
        }

        return AcceleratorChoice.Choose(_directory, path, kvm);
    }
}
