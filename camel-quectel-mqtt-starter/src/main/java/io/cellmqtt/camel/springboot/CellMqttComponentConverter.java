package io.cellmqtt.camel.springboot;

import java.util.Set;

import io.cellmqtt.camel.CellMqttConfiguration;
import io.cellmqtt.modem.MqttCredentialsProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.context.ApplicationContext;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.core.convert.converter.GenericConverter;

/**
 * Lets the two bean-typed properties, {@code camel.component.cellmqtt.configuration} and
 * {@code camel.component.cellmqtt.credentials-provider}, name a bean of the application context:
 * {@code #bean:name} or {@code #name}.
 */
@AutoConfiguration
@ConfigurationPropertiesBinding
public class CellMqttComponentConverter implements GenericConverter {

    private final ApplicationContext applicationContext;

    public CellMqttComponentConverter(ApplicationContext applicationContext) {
        this.applicationContext = applicationContext;
    }

    @Override
    public Set<ConvertiblePair> getConvertibleTypes() {
        return Set.of(new ConvertiblePair(String.class, CellMqttConfiguration.class),
                new ConvertiblePair(String.class, MqttCredentialsProvider.class));
    }

    @Override
    public Object convert(Object source, TypeDescriptor sourceType, TypeDescriptor targetType) {
        if (source == null) {
            return null;
        }
        String ref = source.toString();
        if (!ref.startsWith("#")) {
            return null;
        }
        String name = ref.startsWith("#bean:") ? ref.substring("#bean:".length()) : ref.substring(1);
        return applicationContext.getBean(name, targetType.getType());
    }
}
