package org.hsmkms; public class Main { public static void main(String[] a){} }
