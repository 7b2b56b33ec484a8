package io.cellmqtt.simulator.tls;

import io.cellmqtt.simulator.secrets.TestSecrets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * An MQTT client independent of the simulator and the component (Paho 1.2.5) that connects to a TLS
 * broker with the test CA and the test client pair: the other end of a TLS flow test. Messages to
 * its subscriptions arrive in {@link #next()}.
 */
public final class TlsChecker implements AutoCloseable {

    /** A message the checker received. */
    public record Received(String topic, byte[] payload, int qos) {
    }

    private final MqttClient client;
    private final LinkedBlockingQueue<Received> inbox = new LinkedBlockingQueue<>();

    /** Connects to {@code sslUrl} ({@code ssl://127.0.0.1:<port>}) as {@code clientId}. */
    public TlsChecker(String sslUrl, TestPki pki, String clientId) throws MqttException {
        client = new MqttClient(sslUrl, clientId, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setSocketFactory(socketFactory(pki));
        client.connect(o);
    }

    /** TLS 1.2 with the test CA as the only trust anchor and the test client certificate and key. */
    public static SSLSocketFactory socketFactory(TestPki pki) {
        try {
            char[] pw = TestSecrets.KEYSTORE_PASSWORD.toCharArray();
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", pki.caCertificate());
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", pki.clientPrivateKey(), pw, new Certificate[] {pki.clientCertificate()});
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, pw);
            SSLContext ctx = SSLContext.getInstance("TLSv1.2");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx.getSocketFactory();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("could not build the checker's TLS context", e);
        }
    }

    public void subscribe(String filter, int qos) throws MqttException {
        client.subscribe(filter, qos, (t, m) -> inbox.add(new Received(t, m.getPayload(), m.getQos())));
    }

    public void publish(String topic, byte[] payload, int qos) throws MqttException {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(qos);
        client.publish(topic, m);
    }

    /** The next message received, waiting up to 10 seconds; null if none came. */
    public Received next() throws InterruptedException {
        return inbox.poll(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect();
        }
        client.close();
    }
}
