package io.cellmqtt.camel;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.cellmqtt.camel.oceanconnect.OceanConnect;
import io.cellmqtt.modem.CertificateFile;
import io.cellmqtt.modem.ModemSettings;
import io.cellmqtt.modem.MqttCredentialsProvider;
import io.cellmqtt.modem.MqttClientSettings;
import io.cellmqtt.modem.QueueLimits;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.HealthCheckComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code cellmqtt:} component: MQTT through the MQTT client built into a cellular modem, driven with AT commands
 * over its serial port. It owns the shared resources: one modem per serial port and one MQTT client per (serial
 * port, broker, client id), reference-counted by the producers and consumers that use them.
 */
@Component("cellmqtt")
public class CellMqttComponent extends HealthCheckComponent {
    private static final Logger LOG = LoggerFactory.getLogger(CellMqttComponent.class);

    @Metadata
    private CellMqttConfiguration configuration = new CellMqttConfiguration();

    private final SharedModems modems = new SharedModems(ModemConnector.DEFAULT);

    private volatile Clock clock = Clock.systemUTC();

    private CamelModemThreads threads;

    public CellMqttComponent() {
    }

    public CellMqttComponent(CamelContext context) {
        super(context);
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        CellMqttEndpoint endpoint = new CellMqttEndpoint(uri, this, remaining, configuration.copy());
        setProperties(endpoint, parameters);
        // fails fast, before any modem is opened (unknown options are rejected by Camel after this returns)
        endpoint.validate();
        return endpoint;
    }

    public CellMqttConfiguration getConfiguration() {
        return configuration;
    }

    /**
     * Options shared by every endpoint of this component; an endpoint's own options override them.
     */
    public void setConfiguration(CellMqttConfiguration configuration) {
        this.configuration = configuration;
    }

    /** Replaces the modem-opening step (tests). */
    void setModemConnector(ModemConnector connector) {
        modems.setConnector(connector);
    }

    SharedModems sharedModems() {
        return modems;
    }

    /** Validates the endpoint and then takes (opening if needed) the shared modem and client. */
    SharedModems.Lease acquire(CellMqttEndpoint endpoint) throws Exception {
        CellMqttConfiguration c = endpoint.getConfiguration();
        CellMqttValidation.Broker broker = endpoint.validate();
        ModemSettings modemSettings = new ModemSettings(c.getSerialPort(), c.getBaudRate(),
                c.getModem() == null ? "auto" : c.getModem().toLowerCase(Locale.ROOT), c.getApn(), c.getApnUserName(),
                c.getApnPassword(), c.getPdpContextId(), c.isDisablePowerSaving(), Duration.ofSeconds(60),
                Duration.ofMillis(c.getReconnectDelay()), Duration.ofMillis(c.getMaxReconnectDelay()));
        MqttClientSettings clientSettings = new MqttClientSettings(broker.host(), broker.port(), broker.ssl(),
                c.getClientId(), c.getUserName(), c.getPassword(),
                c.getClientIndex() == null ? -1 : c.getClientIndex(), c.getProtocolVersion(),
                c.getKeepAliveInterval(), c.isCleanSession(), c.getPacketTimeout(), c.getRetryTimes(),
                c.isTimeoutNotice(), c.getWillTopic(), c.getWillPayload(), c.getWillQos(), c.isWillRetained(),
                c.getSslContextId(), c.getCaCert(), c.getClientCert(), c.getClientKey(),
                c.getSecLevel() == null ? -1 : c.getSecLevel(), c.getSslVersion(), c.getCipherSuite(),
                c.isIgnoreLocalTime(), c.getInflightWindow(), Duration.ofMillis(c.getReconnectDelay()),
                Duration.ofMillis(c.getMaxReconnectDelay()), credentialsProvider(c), List.of(),
                new QueueLimits(c.getMaxPendingPublishes(), c.getMaxPendingDeliveries()));
        List<CertificateFile> files = CertificateResources.resolve(getCamelContext(), c);
        if (!files.isEmpty()) {
            clientSettings = clientSettings.withCertificates(files);
        }
        if (broker.ssl() && (c.getSecLevel() != null ? c.getSecLevel() == 0 : c.getCaCert() == null)) {
            LOG.warn("{}: secLevel 0: the broker's certificate is not verified, so anyone between the modem and {} can "
                    + "read and change the traffic; give caCert (secLevel 1) for a production gateway",
                    endpoint.getEndpointBaseUri(), broker.host());
        }
        return modems.acquire(modemSettings, clientSettings, threads());
    }

    /** The modems' threads, from the context's ExecutorServiceManager; made when the first modem is opened. */
    private synchronized CamelModemThreads threads() {
        if (threads == null) {
            threads = new CamelModemThreads(getCamelContext(), this);
        }
        return threads;
    }

    /** What renews the credentials on every connect, if the options ask for it (validated before). */
    private MqttCredentialsProvider credentialsProvider(CellMqttConfiguration c) {
        if (c.getOceanConnectDeviceId() != null) {
            return OceanConnect.device(c.getOceanConnectDeviceId(), c.getOceanConnectDeviceSecret()).credentials(clock);
        }
        return c.getCredentialsProvider();
    }

    /** The clock the oceanConnect options stamp their credentials with (tests move it). */
    void setClock(Clock clock) {
        this.clock = clock;
    }

    @Override
    protected void doStop() throws Exception {
        modems.closeAll();
        synchronized (this) {
            if (threads != null) {
                threads.close();
                threads = null;
            }
        }
        super.doStop();
    }
}
